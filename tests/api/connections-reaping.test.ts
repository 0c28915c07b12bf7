import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { SqlDatabase } from '../../src/application/ports/sql-database.port';
import { TOKENS } from '../../src/infrastructure/tokens';
import { capturingLogger } from '../support/capturing-logger';
import { expectStandardError } from '../support/error-body';
import { eventually } from '../support/eventually';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

const SERVICE = 'core-project-service';
const acquire = (t: TestApp, auth: Record<string, string>, body: object = {}) =>
  request(t.app).post('/api/v1/connections/acquire').set(auth).send({ service_name: SERVICE, database_type: 'postgresql', operation_type: 'write', ...body });
const release = (t: TestApp, auth: Record<string, string>, id: string) =>
  request(t.app).post('/api/v1/connections/release').set(auth).send({ connection_id: id, service_name: SERVICE });
const tx = (t: TestApp, auth: Record<string, string>, id: string, verb: 'begin' | 'commit' | 'rollback') => request(t.app).post(`/api/v1/connections/${id}/${verb}`).set(auth);
const activeClients = (t: TestApp) => t.container.get<SqlDatabase>(TOKENS.SqlDatabase).poolStats().active;

describe('a lease used through another service instance', () => {
  let a: TestApp;
  let b: TestApp;
  let user: { Authorization: string };
  beforeAll(async () => {
    // Ids of this file only (test files share the run's instance registry); the first app migrates it.
    const suffix = randomUUID().slice(0, 8);
    a = await buildTestApp({ env: { INSTANCE_ID: `inst-a-${suffix}` } });
    b = await buildTestApp({ migrate: false, env: { INSTANCE_ID: `inst-b-${suffix}` } });
    user = bearer(await aToken({ sub: randomUUID() }));
  });
  afterAll(() => Promise.all([a.close(), b.close()]));

  it('is served by the instance that holds it whichever instance the request reaches (forwarded there)', async () => {
    const { body } = await acquire(a, user).expect(201);
    const id = body.connection_id as string;
    await tx(b, user, id, 'begin').expect(200);
    expectStandardError(await tx(a, user, id, 'begin'), 409, 'TRANSACTION_ALREADY_ACTIVE');
    await tx(b, user, id, 'rollback').expect(200);
    await release(b, user, id).expect(200);
    expectStandardError(await release(a, user, id), 404, 'LEASE_NOT_FOUND');
  });
});

describe('lease reaping', () => {
  const captured = capturingLogger('info');
  let t: TestApp;
  let user: { Authorization: string };
  beforeAll(async () => {
    t = await buildTestApp({
      migrate: false,
      env: { LEASE_REAP_INTERVAL_MS: '100', LEASE_IDLE_TIMEOUT_SECONDS: '2', LOG_LEVEL: 'info' },
      overrides: { [TOKENS.Logger]: captured.logger },
    });
    user = bearer(await aToken({ sub: randomUUID() }));
  });
  afterAll(() => t.close());

  const reapedLine = (id: string) => captured.lines().find((l) => l.msg === 'connection lease reaped' && l.connection_id === id);

  it('releases a lease past expires_at, rolling back its open transaction; its id is then 404', async () => {
    // No lease yet: wait out any statement of the app's own start-up (it borrows a client briefly).
    const before = await eventually('an idle pool', () => (activeClients(t) === 0 ? 0 : undefined), 5_000);
    const { body } = await acquire(t, user, { ttl_seconds: 1 }).expect(201);
    const id = body.connection_id as string;
    await tx(t, user, id, 'begin').expect(200);
    expect(activeClients(t)).toBe(before + 1);
    const line = await eventually('the expiry reap', () => reapedLine(id), 5_000);
    expect(line).toMatchObject({ level: 'info', reason: 'expired', rolled_back: true, service_name: SERVICE, operation_type: 'write' });
    expect(JSON.stringify(line)).not.toMatch(/postgres(ql)?:\/\//);
    expect(activeClients(t)).toBe(before);
    expectStandardError(await tx(t, user, id, 'commit'), 404, 'LEASE_NOT_FOUND');
    expectStandardError(await release(t, user, id), 404, 'LEASE_NOT_FOUND');
  });

  it('releases a lease left idle past LEASE_IDLE_TIMEOUT_SECONDS, and keeps one that is used', async () => {
    const idle = (await acquire(t, user).expect(201)).body.connection_id as string;
    const used = (await acquire(t, user).expect(201)).body.connection_id as string;
    await tx(t, user, used, 'begin').expect(200);
    const deadline = Date.now() + 3_000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 400));
      // Each call resets the lease's idle timer.
      await tx(t, user, used, 'rollback').expect(200);
      await tx(t, user, used, 'begin').expect(200);
    }
    expect(reapedLine(idle)).toMatchObject({ reason: 'idle', rolled_back: false });
    expect(reapedLine(used)).toBeUndefined();
    expectStandardError(await tx(t, user, idle, 'begin'), 404, 'LEASE_NOT_FOUND');
    await tx(t, user, used, 'commit').expect(200);
    await release(t, user, used).expect(200);
  });

  it('counts open leases in db_leases_open on /metrics', async () => {
    const admin = bearer(await aToken({ role: 'admin' }));
    const { body } = await acquire(t, user, { operation_type: 'read' }).expect(201);
    const metrics = await request(t.app).get('/metrics').set(admin).expect(200);
    expect(metrics.text).toMatch(/db_leases_open\{operation_type="read",service="visiobook-data-platform"\} 1/);
    await release(t, user, body.connection_id).expect(200);
  });
});

describe('shutdown', () => {
  it('releases every open lease (rolling back its transaction) so the pool can close', async () => {
    const t = await buildTestApp({ migrate: false });
    const user = bearer(await aToken({ sub: randomUUID() }));
    const { body } = await acquire(t, user).expect(201);
    await tx(t, user, body.connection_id, 'begin').expect(200);
    await acquire(t, user).expect(201);
    const started = Date.now();
    await t.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(t.container.get<SqlDatabase>(TOKENS.SqlDatabase).poolStats().total).toBe(0);
  });
});
