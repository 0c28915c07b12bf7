import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import request from 'supertest';
import { expectStandardError } from '../support/error-body';
import { currentRun } from '../support/run-resources';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';
import { aKey, aProjectRow, aUserRow, insert, redis, transaction, type Operation } from '../support/transaction-requests';

/** Transactions that carry a connection_id: on the lease's connection, inside its interactive transaction or not. */
describe('POST /api/v1/data/transaction with connection_id', () => {
  let t: TestApp;
  let sql: Client;
  let raw: Redis;
  const user = { id: randomUUID(), token: '' };
  let connectionId: string;
  const run = (operations: Operation[], token = user.token) => transaction(t.app, token, operations, { connection_id: connectionId });
  const lease = (verb: 'begin' | 'commit' | 'rollback') => request(t.app).post(`/api/v1/connections/${connectionId}/${verb}`).set(bearer(user.token)).expect(200);
  const visible = async (title: string) => (await sql.query('SELECT 1 FROM projects WHERE title = $1', [title])).rowCount;
  const value = (key: string) => raw.get(`data:user:${user.id}:${key}`);

  beforeAll(async () => {
    t = await buildTestApp();
    sql = new Client({ connectionString: currentRun().databaseUrl });
    await sql.connect();
    raw = new Redis(currentRun().redisUrl, { keyPrefix: currentRun().keyPrefix, maxRetriesPerRequest: 1 });
    user.token = await aToken({ sub: user.id });
    await transaction(t.app, user.token, [insert('users', aUserRow())]).expect(200);
    const acquired = await request(t.app)
      .post('/api/v1/connections/acquire')
      .set(bearer(user.token))
      .send({ service_name: 'tx-test', database_type: 'postgresql', operation_type: 'write' })
      .expect(201);
    connectionId = acquired.body.connection_id;
  });
  afterAll(async () => {
    await request(t.app).post('/api/v1/connections/release').set(bearer(user.token)).send({ connection_id: connectionId, service_name: 'tx-test' });
    raw.disconnect();
    await sql.end();
    await t.close();
  });

  it('commits on its own on a lease without an interactive transaction', async () => {
    const [title, key] = [`lease-${randomUUID()}`, aKey()];
    const res = await run([insert('projects', aProjectRow({ title })), redis('set', key, { value: 'v' })]).expect(200);
    expect(res.body.status).toBe('committed');
    expect(res.body.results[1]).toEqual({ operation: 2, status: 'success', data: { applied: true } });
    expect(await visible(title)).toBe(1);
    await expect(value(key)).resolves.toBe('v');
  });

  it("runs inside the lease's open transaction: nothing shows until its commit, which applies the Redis effects", async () => {
    const [title, key] = [`interactive-${randomUUID()}`, aKey()];
    await lease('begin');
    const res = await run([insert('projects', aProjectRow({ title })), redis('incr', key)]).expect(200);
    expect(res.body.status).toBe('pending_commit');
    expect(res.body.results[1]).toEqual({ operation: 2, status: 'pending' });
    // A failing request undoes only itself: the interactive transaction goes on.
    const failing = await run([insert('projects', aProjectRow({ title: `${title}-b` })), insert('projects', { description: 'no title' })]);
    expect(expectStandardError(failing, 400, 'INVALID_DATA').details).toMatchObject({ status: 'rolled_back', failed_operation: 2 });
    expect(await visible(title)).toBe(0);
    await expect(value(key)).resolves.toBeNull();

    await lease('commit');
    expect(await visible(title)).toBe(1);
    expect(await visible(`${title}-b`)).toBe(0);
    await expect(value(key)).resolves.toBe('1');
  });

  it("drops everything, Redis effects included, when the lease's transaction rolls back", async () => {
    const [title, key] = [`dropped-${randomUUID()}`, aKey()];
    await lease('begin');
    const res = await run([insert('projects', aProjectRow({ title })), redis('set', key, { value: 'never' })]).expect(200);
    await lease('rollback');
    expect(await visible(title)).toBe(0);
    expect((await sql.query('SELECT 1 FROM data_outbox WHERE transaction_id = $1', [res.body.transaction_id])).rowCount).toBe(0);
    await expect(value(key)).resolves.toBeNull();
  });

  it('answers 404 for a lease that is not the caller\'s, and runs nothing', async () => {
    const title = `stranger-${randomUUID()}`;
    const stranger = await aToken({ sub: randomUUID() });
    expectStandardError(await run([insert('projects', aProjectRow({ title }))], stranger), 404, 'LEASE_NOT_FOUND');
    const unknownId = `conn_${t.config.instanceId}_${'0'.repeat(24)}`;
    expectStandardError(await transaction(t.app, user.token, [insert('projects', aProjectRow({ title }))], { connection_id: unknownId }), 404, 'LEASE_NOT_FOUND');
    expect(await visible(title)).toBe(0);
  });
});
