import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { expectStandardError } from '../support/error-body';
import { currentRun } from '../support/run-resources';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

const SERVICE = 'core-user-service';
const MAX_PER_CALLER = 3;

describe('connection leases API', () => {
  let t: TestApp;
  let owner: { Authorization: string };
  let stranger: { Authorization: string };
  const acquire = (auth: Record<string, string>, body: object = {}) =>
    request(t.app).post('/api/v1/connections/acquire').set(auth).send({ service_name: SERVICE, database_type: 'postgresql', operation_type: 'write', ...body });
  const release = (auth: Record<string, string>, connectionId: string, serviceName = SERVICE) =>
    request(t.app).post('/api/v1/connections/release').set(auth).send({ connection_id: connectionId, service_name: serviceName });
  const tx = (auth: Record<string, string>, connectionId: string, verb: 'begin' | 'commit' | 'rollback') =>
    request(t.app).post(`/api/v1/connections/${connectionId}/${verb}`).set(auth);

  beforeAll(async () => {
    t = await buildTestApp({ migrate: false, env: { INSTANCE_ID: 'api-a', LEASE_MAX_PER_CALLER: String(MAX_PER_CALLER), LEASE_MAX_TTL_SECONDS: '600' } });
    owner = bearer(await aToken({ sub: randomUUID() }));
    stranger = bearer(await aToken({ sub: randomUUID() }));
  });
  afterAll(() => t.close());

  it("acquires a lease with the seed's body: id naming this instance, a URL without password, expiry, pool stats", async () => {
    const before = Date.now();
    const res = await acquire(owner).expect(201);
    expect(Object.keys(res.body).sort()).toEqual(['connection_id', 'database_url', 'expires_at', 'pool_stats']);
    expect(res.body.connection_id).toMatch(/^conn_api-a_[0-9a-f]{24}$/);
    const url = new URL(res.body.database_url);
    expect(url.password).toBe('');
    expect(url.search).toBe('');
    expect(url.pathname).toBe(new URL(t.config.databaseUrl!).pathname);
    // Default TTL: 300 s from now.
    const expires = Date.parse(res.body.expires_at);
    expect(expires - before).toBeGreaterThanOrEqual(300_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(300_000);
    expect(res.body.pool_stats).toEqual({ active: expect.any(Number), idle: expect.any(Number), waiting: 0 });
    expect(res.body.pool_stats.active).toBeGreaterThanOrEqual(1);
    expect(res.headers['cache-control']).toBe('no-store');
    await release(owner, res.body.connection_id).expect(200);
  });

  it('caps the requested ttl_seconds at LEASE_MAX_TTL_SECONDS', async () => {
    const res = await acquire(owner, { ttl_seconds: 86_400 }).expect(201);
    expect(Date.parse(res.body.expires_at) - Date.now()).toBeLessThanOrEqual(600_000);
    expect(Date.parse(res.body.expires_at) - Date.now()).toBeGreaterThan(590_000);
    await release(owner, res.body.connection_id).expect(200);
  });

  it('releases with duration_ms; a second release is 404 LEASE_NOT_FOUND', async () => {
    const { body } = await acquire(owner).expect(201);
    await new Promise((r) => setTimeout(r, 30));
    const res = await release(owner, body.connection_id).expect(200);
    expect(res.body).toEqual({ status: 'released', connection_id: body.connection_id, duration_ms: expect.any(Number) });
    expect(res.body.duration_ms).toBeGreaterThanOrEqual(25);
    const again = await release(owner, body.connection_id);
    expect(expectStandardError(again, 404, 'LEASE_NOT_FOUND').details).toEqual({ connection_id: body.connection_id });
  });

  it("answers another caller 404 on someone else's lease (release, begin, commit, rollback), and the lease survives", async () => {
    const { body } = await acquire(owner).expect(201);
    const id = body.connection_id as string;
    expectStandardError(await release(stranger, id), 404, 'LEASE_NOT_FOUND');
    for (const verb of ['begin', 'commit', 'rollback'] as const) expectStandardError(await tx(stranger, id, verb), 404, 'LEASE_NOT_FOUND');
    // Even an admin: a lease is its holder's alone.
    expectStandardError(await release(bearer(await aToken({ role: 'admin' })), id), 404, 'LEASE_NOT_FOUND');
    await tx(owner, id, 'begin').expect(200);
    await release(owner, id).expect(200);
  });

  it('answers 404 for unknown and malformed ids, and for a service_name other than the one that acquired', async () => {
    expectStandardError(await release(owner, `conn_api-a_${'0'.repeat(24)}`), 404, 'LEASE_NOT_FOUND');
    expectStandardError(await tx(owner, 'not-a-lease', 'begin'), 404, 'LEASE_NOT_FOUND');
    const { body } = await acquire(owner).expect(201);
    expectStandardError(await release(owner, body.connection_id, 'another-service'), 404, 'LEASE_NOT_FOUND');
    await release(owner, body.connection_id).expect(200);
  });

  it('runs begin / commit / rollback across requests, with 409 for begin twice and commit or rollback without begin', async () => {
    const { body } = await acquire(owner).expect(201);
    const id = body.connection_id as string;
    expectStandardError(await tx(owner, id, 'commit'), 409, 'NO_ACTIVE_TRANSACTION');
    expectStandardError(await tx(owner, id, 'rollback'), 409, 'NO_ACTIVE_TRANSACTION');
    expect((await tx(owner, id, 'begin').expect(200)).body).toEqual({ connection_id: id, transaction_status: 'active' });
    expectStandardError(await tx(owner, id, 'begin'), 409, 'TRANSACTION_ALREADY_ACTIVE');
    expect((await tx(owner, id, 'commit').expect(200)).body).toEqual({ connection_id: id, transaction_status: 'committed' });
    await tx(owner, id, 'begin').expect(200);
    expect((await tx(owner, id, 'rollback').expect(200)).body).toEqual({ connection_id: id, transaction_status: 'rolled_back' });
    await release(owner, id).expect(200);
  });

  it('caps the leases one caller holds (429 LEASE_LIMIT_EXCEEDED); releasing one makes room', async () => {
    const caller = bearer(await aToken({ sub: randomUUID() }));
    const ids: string[] = [];
    for (let i = 0; i < MAX_PER_CALLER; i++) ids.push((await acquire(caller).expect(201)).body.connection_id);
    const refused = await acquire(caller);
    expect(expectStandardError(refused, 429, 'LEASE_LIMIT_EXCEEDED').details).toEqual({ max_leases_per_caller: MAX_PER_CALLER });
    // Another caller is not affected.
    const other = await acquire(stranger).expect(201);
    await release(caller, ids.pop()!).expect(200);
    ids.push((await acquire(caller).expect(201)).body.connection_id);
    for (const id of ids) await release(caller, id).expect(200);
    await release(stranger, other.body.connection_id).expect(200);
  });

  it('validates the body: database_type, operation_type, service_name length, unknown fields', async () => {
    const cases: Array<[object, string]> = [
      [{ database_type: 'redis' }, 'body.database_type'],
      [{ operation_type: 'admin' }, 'body.operation_type'],
      [{ service_name: '' }, 'body.service_name'],
      [{ service_name: 'x'.repeat(101) }, 'body.service_name'],
      [{ ttl_seconds: 0 }, 'body.ttl_seconds'],
      [{ extra: true }, 'body'],
    ];
    for (const [body, path] of cases) {
      const error = expectStandardError(await acquire(owner, body), 400, 'VALIDATION_ERROR');
      expect(error.details.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    }
  });

  it('needs a token', async () => {
    expectStandardError(await acquire({}), 401, 'UNAUTHORIZED');
  });

  it('is documented in the OpenAPI document', async () => {
    const { body } = await request(t.app).get('/api/v1/openapi.json').expect(200);
    for (const path of ['/api/v1/connections/acquire', '/api/v1/connections/release', '/api/v1/connections/{connection_id}/begin']) {
      expect(body.paths).toHaveProperty([path, 'post']);
    }
  });
});

describe('a lease on a server whose DATABASE_URL holds a password', () => {
  it('answers database_url without it', async () => {
    const url = new URL(currentRun().databaseUrl);
    // Trust authentication ignores a password, so the URL still connects if the run's had none.
    if (!url.password) url.password = 'hidden-s3cret';
    const t = await buildTestApp({ migrate: false, env: { DATABASE_URL: url.toString() } });
    try {
      const auth = bearer(await aToken());
      const res = await request(t.app)
        .post('/api/v1/connections/acquire')
        .set(auth)
        .send({ service_name: SERVICE, database_type: 'postgresql', operation_type: 'read' })
        .expect(201);
      expect(res.body.database_url).not.toContain(url.password);
      expect(new URL(res.body.database_url)).toMatchObject({ password: '', host: url.host, pathname: url.pathname });
    } finally {
      await t.close();
    }
  });
});
