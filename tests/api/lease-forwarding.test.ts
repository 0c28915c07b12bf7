import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import request from 'supertest';
import type { InstanceDirectory } from '../../src/application/ports/instance-directory.port';
import { signInternalRequest } from '../../src/adapters/http/internal/internal-signature';
import { resolveInternalSecret } from '../../src/infrastructure/internal-secret';
import { TOKENS } from '../../src/infrastructure/tokens';
import { expectStandardError } from '../support/error-body';
import { freePort } from '../support/free-port';
import { currentRun } from '../support/run-resources';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';
import { aKey, aProjectRow, aUserRow, insert, redis, transaction } from '../support/transaction-requests';

const SERVICE = 'lease-forwarding-test';
/** Ids of this file only: test files running at the same time share the run's instance registry. */
const anInstanceId = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

const internalUrlOf = async (t: TestApp): Promise<string> => {
  const status = await t.container.get<InstanceDirectory>(TOKENS.InstanceDirectory).status(t.config.instanceId);
  if (status.state !== 'live') throw new Error(`instance ${t.config.instanceId} is not registered (${status.state})`);
  return status.internalUrl;
};

describe('a lease used through any instance', () => {
  let a: TestApp;
  let b: TestApp;
  let c: TestApp;
  let sql: Client;
  let raw: Redis;
  const user = { id: randomUUID(), token: '' };
  let stranger: { Authorization: string };

  beforeAll(async () => {
    // The first one migrates (the registry's table included); the others share its database.
    a = await buildTestApp({ env: { INSTANCE_ID: anInstanceId('fa') } });
    const another = (label: string) => buildTestApp({ migrate: false, env: { INSTANCE_ID: anInstanceId(label) } });
    [b, c] = await Promise.all([another('fb'), another('fc')]);
    sql = new Client({ connectionString: currentRun().databaseUrl });
    await sql.connect();
    raw = new Redis(currentRun().redisUrl, { keyPrefix: currentRun().keyPrefix, maxRetriesPerRequest: 1 });
    user.token = await aToken({ sub: user.id });
    stranger = bearer(await aToken({ sub: randomUUID() }));
    await transaction(a.app, user.token, [insert('users', aUserRow())]).expect(200);
  });
  afterAll(async () => {
    raw.disconnect();
    await sql.end();
    await Promise.all([a, b, c].map((t) => t.close()));
  });

  const acquire = (t: TestApp) =>
    request(t.app).post('/api/v1/connections/acquire').set(bearer(user.token)).send({ service_name: SERVICE, database_type: 'postgresql', operation_type: 'write' }).expect(201);
  const verb = (t: TestApp, id: string, name: 'begin' | 'commit' | 'rollback', auth = bearer(user.token)) => request(t.app).post(`/api/v1/connections/${id}/${name}`).set(auth);
  const release = (t: TestApp, id: string, auth = bearer(user.token)) => request(t.app).post('/api/v1/connections/release').set(auth).send({ connection_id: id, service_name: SERVICE });
  const titled = async (title: string) => (await sql.query('SELECT 1 FROM projects WHERE title = $1', [title])).rowCount;

  it('acquired through A, begun through B, used through C, committed and released through A', async () => {
    const id = (await acquire(a)).body.connection_id as string;
    expect(id).toContain(`_${a.config.instanceId}_`);
    const [title, key] = [`fwd-${randomUUID()}`, aKey('fwd')];

    const begun = await verb(b, id, 'begin').expect(200);
    expect(begun.body).toEqual({ connection_id: id, transaction_status: 'active' });

    const written = await transaction(c.app, user.token, [insert('projects', aProjectRow({ title })), redis('set', key, { value: 'from-c' })], { connection_id: id }).expect(200);
    expect(written.body.status).toBe('pending_commit');
    // The lease's own connection sees its uncommitted row (read through C); nobody else does yet.
    const read = await request(c.app)
      .post('/api/v1/data/query')
      .set(bearer(user.token))
      .send({ database: 'postgresql', query_type: 'select', table: 'projects', filters: { title }, connection_id: id })
      .expect(200);
    expect(read.body.data).toEqual([expect.objectContaining({ title })]);
    expect(await titled(title)).toBe(0);
    await expect(raw.get(`data:user:${user.id}:${key}`)).resolves.toBeNull();

    await verb(a, id, 'commit').expect(200);
    expect(await titled(title)).toBe(1);
    await expect(raw.get(`data:user:${user.id}:${key}`)).resolves.toBe('from-c');

    const released = await release(a, id).expect(200);
    expect(released.body).toMatchObject({ status: 'released', connection_id: id });
    expectStandardError(await verb(b, id, 'begin'), 404, 'LEASE_NOT_FOUND');
  });

  it('answers as the holder would: its errors, its headers, and only to the lease owner', async () => {
    const id = (await acquire(b)).body.connection_id as string;
    const notOpen = await verb(c, id, 'commit');
    expect(expectStandardError(notOpen, 409, 'NO_ACTIVE_TRANSACTION').details).toEqual({ connection_id: id });
    const begun = await verb(c, id, 'begin').set('X-Request-ID', 'req-forwarded-1').expect(200);
    expect(begun.headers).toMatchObject({ 'cache-control': 'no-store', 'x-request-id': 'req-forwarded-1' });
    expect(begun.headers['content-type']).toMatch(/^application\/json/);
    // Another caller, through another instance: the holder checks the token and the owner itself.
    expectStandardError(await verb(a, id, 'begin', stranger), 404, 'LEASE_NOT_FOUND');
    expectStandardError(await release(c, id, stranger), 404, 'LEASE_NOT_FOUND');
    expectStandardError(await request(c.app).post(`/api/v1/connections/${id}/begin`), 401, 'UNAUTHORIZED');
    await release(c, id).expect(200);
  });

  it('answers 404 for a lease id naming an instance never registered, and 410 LEASE_LOST once its holder is gone', async () => {
    const never = `conn_${anInstanceId('never')}_${'0'.repeat(24)}`;
    expectStandardError(await verb(a, never, 'begin'), 404, 'LEASE_NOT_FOUND');

    const d = await buildTestApp({ migrate: false, env: { INSTANCE_ID: anInstanceId('fd') } });
    const id = (await acquire(d)).body.connection_id as string;
    const title = `lost-${randomUUID()}`;
    await verb(a, id, 'begin').expect(200);
    await transaction(b.app, user.token, [insert('projects', aProjectRow({ title }))], { connection_id: id }).expect(200);
    await d.close();

    for (const res of [await verb(a, id, 'commit'), await release(b, id), await transaction(c.app, user.token, [insert('projects', aProjectRow())], { connection_id: id })]) {
      expect(expectStandardError(res, 410, 'LEASE_LOST').details).toEqual({ connection_id: id, transaction: 'rolled_back' });
    }
    expect(await titled(title)).toBe(0);
  });

  it('answers 410 LEASE_LOST when the registered holder does not take the connection, drops the request (outcome unknown) or is another process', async () => {
    const directory = a.container.get<InstanceDirectory>(TOKENS.InstanceDirectory);
    const closedPort = await freePort();
    const unreachable = anInstanceId('gone');
    await directory.announce(unreachable, `http://127.0.0.1:${closedPort}`, 60);
    const id = `conn_${unreachable}_${'1'.repeat(24)}`;
    expect(expectStandardError(await verb(b, id, 'commit'), 410, 'LEASE_LOST').details).toEqual({ connection_id: id, transaction: 'rolled_back' });

    // A holder that accepts the request, then dies before answering.
    const dying = http.createServer((req) => req.socket.destroy());
    await new Promise<void>((resolve) => dying.listen(0, '127.0.0.1', resolve));
    const crashing = anInstanceId('crash');
    await directory.announce(crashing, `http://127.0.0.1:${(dying.address() as AddressInfo).port}`, 60);
    const inFlight = `conn_${crashing}_${'2'.repeat(24)}`;
    // Another process that took a dead holder's port: it refuses what was signed for the holder.
    const squatter = http.createServer((_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{}}'));
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const replaced = anInstanceId('moved');
    await directory.announce(replaced, `http://127.0.0.1:${(squatter.address() as AddressInfo).port}`, 60);
    const elsewhere = `conn_${replaced}_${'3'.repeat(24)}`;
    try {
      expect(expectStandardError(await verb(c, inFlight, 'commit'), 410, 'LEASE_LOST').details).toEqual({ connection_id: inFlight, transaction: 'unknown', request_outcome: 'unknown' });
      expect(expectStandardError(await verb(a, elsewhere, 'begin'), 410, 'LEASE_LOST').details).toEqual({ connection_id: elsewhere, transaction: 'rolled_back' });
    } finally {
      dying.close();
      squatter.close();
    }
  });

  describe('the internal listener', () => {
    const send = async (target: TestApp, headers: Record<string, string>, path: string, body = '') => {
      const url = new URL(path, await internalUrlOf(target));
      return fetch(url, { method: 'POST', headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body || undefined });
    };
    const signedFor = (target: TestApp, path: string, body: string, secret = resolveInternalSecret(a.config), now = Date.now()) => ({
      ...bearer(user.token),
      ...signInternalRequest(secret, { method: 'POST', path, body: Buffer.from(body), authorization: bearer(user.token).Authorization }, a.config.instanceId, target.config.instanceId, now),
    });
    const errorOf = async (res: Response) => ({ status: res.status, body: (await res.json()) as { error: { code: string; request_id: string; service: string } } });

    it('serves a correctly signed lease request once, and refuses the same request replayed', async () => {
      const id = (await acquire(b)).body.connection_id as string;
      const path = `/api/v1/connections/${id}/begin`;
      const headers = signedFor(b, path, '');
      const first = await send(b, headers, path);
      expect({ status: first.status, body: await first.json() }).toEqual({ status: 200, body: { connection_id: id, transaction_status: 'active' } });
      const replayed = await errorOf(await send(b, headers, path));
      expect(replayed).toMatchObject({ status: 403, body: { error: { code: 'INTERNAL_REQUEST_REPLAYED', service: 'visiobook-data-platform' } } });
      await release(b, id).expect(200);
    });

    it('refuses a forged signature, a request signed for another instance, a stale timestamp, and no signature at all', async () => {
      const id = (await acquire(b)).body.connection_id as string;
      const path = `/api/v1/connections/${id}/begin`;
      const forged = signedFor(b, path, '', 'x'.repeat(48));
      const forOther = signedFor(c, path, '');
      const stale = signedFor(b, path, '', undefined, Date.now() - 120_000);
      const tampered = { ...signedFor(b, '/api/v1/data/transaction', '{"operations":[]}') };
      expect(await errorOf(await send(b, forged, path))).toMatchObject({ status: 401, body: { error: { code: 'INTERNAL_SIGNATURE_INVALID' } } });
      expect(await errorOf(await send(b, forOther, path))).toMatchObject({ status: 401, body: { error: { code: 'INTERNAL_SIGNATURE_INVALID' } } });
      expect(await errorOf(await send(b, stale, path))).toMatchObject({ status: 401, body: { error: { code: 'INTERNAL_REQUEST_EXPIRED' } } });
      expect(await errorOf(await send(b, tampered, '/api/v1/data/transaction', '{"operations":[{"database":"redis","operation":"del","key":"x"}]}'))).toMatchObject({
        status: 401,
        body: { error: { code: 'INTERNAL_SIGNATURE_INVALID' } },
      });
      expect(await errorOf(await send(b, bearer(user.token), path))).toMatchObject({ status: 401, body: { error: { code: 'INTERNAL_SIGNATURE_INVALID' } } });
      // Only lease requests are served there, signed or not.
      expect(await errorOf(await send(b, signedFor(b, '/api/v1/connections/acquire', ''), '/api/v1/connections/acquire'))).toMatchObject({ status: 404, body: { error: { code: 'ROUTE_NOT_FOUND' } } });
      // None of them reached the lease.
      const state = await verb(b, id, 'rollback');
      expectStandardError(state, 409, 'NO_ACTIVE_TRANSACTION');
      await release(b, id).expect(200);
    });
  });
});
