import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { Client } from 'pg';
import { expectStandardError } from '../support/error-body';
import { eventually } from '../support/eventually';
import { currentRun } from '../support/run-resources';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';
import { aKey, aProjectRow, aUserRow, insert, redis, transaction, update, type Operation } from '../support/transaction-requests';

/** The Redis side over HTTP: applied after the commit, in the caller's namespace, exactly once. */
describe('POST /api/v1/data/transaction (Redis operations)', () => {
  let t: TestApp;
  let raw: Redis;
  let sql: Client;
  const alice = { id: randomUUID(), token: '' };
  const bob = { id: randomUUID(), token: '' };
  const run = (token: string, operations: Operation[]) => transaction(t.app, token, operations);
  /** Where a user's key lives in Redis, under the run's prefix. */
  const stored = (userId: string, key: string) => `data:user:${userId}:${key}`;

  beforeAll(async () => {
    t = await buildTestApp();
    raw = new Redis(currentRun().redisUrl, { keyPrefix: currentRun().keyPrefix, maxRetriesPerRequest: 1 });
    sql = new Client({ connectionString: currentRun().databaseUrl });
    await sql.connect();
    [alice.token, bob.token] = await Promise.all([aToken({ sub: alice.id }), aToken({ sub: bob.id })]);
    await run(alice.token, [insert('users', aUserRow())]).expect(200);
  });
  afterAll(async () => {
    raw.disconnect();
    await sql.end();
    await t.close();
  });

  it('applies set with ttl, incr, expire, hset, hdel and del after the commit, and says so per operation', async () => {
    const [s, n, h, gone] = [aKey('set'), aKey('n'), aKey('hash'), aKey('gone')];
    const res = await run(alice.token, [
      insert('projects', aProjectRow()),
      redis('set', s, { value: '{"status": "created"}', ttl: 3600 }),
      redis('incr', n),
      redis('incr', n),
      redis('expire', n, { ttl: 60 }),
      redis('hset', h, { fields: { a: '1', b: 2, c: true } }),
      redis('hset', h, { field: 'd', value: 'four' }),
      redis('hdel', h, { fields: ['a'] }),
      redis('set', gone, { value: 'x' }),
      redis('del', gone),
    ]).expect(200);
    expect(res.body.status).toBe('committed');
    expect(res.body.results.slice(1)).toEqual(Array.from({ length: 9 }, (_, i) => ({ operation: i + 2, status: 'success', data: { applied: true } })));
    await expect(raw.get(stored(alice.id, s))).resolves.toBe('{"status": "created"}');
    expect(await raw.ttl(stored(alice.id, s))).toBeGreaterThan(3590);
    await expect(raw.get(stored(alice.id, n))).resolves.toBe('2');
    expect(await raw.ttl(stored(alice.id, n))).toBeGreaterThan(50);
    await expect(raw.hgetall(stored(alice.id, h))).resolves.toEqual({ b: '2', c: 'true', d: 'four' });
    await expect(raw.exists(stored(alice.id, gone))).resolves.toBe(0);
  });

  it("keeps each user's keys in their own namespace: the same name never reaches another user's key", async () => {
    const key = aKey('shared-name');
    await run(alice.token, [redis('set', key, { value: 'alice' })]).expect(200);
    await run(bob.token, [redis('set', key, { value: 'bob' }), redis('del', key)]).expect(200);
    await expect(raw.get(stored(alice.id, key))).resolves.toBe('alice');
    await expect(raw.exists(stored(bob.id, key))).resolves.toBe(0);
    // Nor through the read API, when it is mounted.
    const read = await request(t.app).post('/api/v1/data/query').set(bearer(bob.token)).send({ database: 'redis', query_type: 'get', keys: [key] });
    if (read.status !== 404) expect(read.body.data).toEqual({ [key]: null });
  });

  it('cannot escape the namespace through the key itself', async () => {
    for (const key of ['a b', '*', `data:user:${alice.id}:x\n`, '', 'k'.repeat(257)]) {
      expectStandardError(await run(bob.token, [redis('set', key, { value: 'x' })]), 400, 'VALIDATION_ERROR');
    }
    // A key spelling out alice's namespace is just a name inside bob's.
    const victim = aKey('victim');
    await run(alice.token, [redis('set', victim, { value: 'alice' })]).expect(200);
    await run(bob.token, [redis('set', stored(alice.id, victim), { value: 'bob' }), redis('del', `../${victim}`)]).expect(200);
    await expect(raw.get(stored(alice.id, victim))).resolves.toBe('alice');
    await expect(raw.get(stored(bob.id, stored(alice.id, victim)))).resolves.toBe('bob');
  });

  it('reports an operation Redis refuses for good as failed, and keeps the committed rows', async () => {
    const key = aKey('word');
    const title = `kept-${randomUUID()}`;
    await run(alice.token, [redis('set', key, { value: 'abc' })]).expect(200);
    const res = await run(alice.token, [insert('projects', aProjectRow({ title })), redis('incr', key), redis('set', aKey(), { value: 'after' })]).expect(200);
    expect(res.body.results.slice(1)).toEqual([
      { operation: 2, status: 'failed', error: expect.stringMatching(/not an integer/) },
      { operation: 3, status: 'success', data: { applied: true } },
    ]);
    expect((await sql.query('SELECT 1 FROM projects WHERE title = $1', [title])).rowCount).toBe(1);
  });

  it('validates Redis operations: what each takes, and ttl bounds', async () => {
    const res = await run(alice.token, [
      redis('set', aKey()),
      redis('expire', aKey()),
      redis('incr', aKey(), { ttl: 5 }),
      redis('set', aKey(), { value: 'x', ttl: 0 }),
      redis('hdel', aKey()),
      redis('rename', aKey()),
    ]);
    const issues = expectStandardError(res, 400, 'VALIDATION_ERROR').details.issues as Array<{ operation: number; path: string }>;
    expect(issues.map((i) => [i.operation, i.path])).toEqual([
      [1, 'operations.0.value'],
      [2, 'operations.1.ttl'],
      [3, 'operations.2.ttl'],
      [4, 'operations.3.ttl'],
      [5, 'operations.4.fields'],
      [6, 'operations.5.operation'],
    ]);
  });

  it('marks the outbox entries applied once done (after the response: the marks are written in batches off its path)', async () => {
    const res = await run(alice.token, [update('users', { id: alice.id }, { first_name: 'A' }), redis('incr', aKey())]).expect(200);
    const rows = await eventually('outbox entries marked', async () => {
      const { rows: marked } = await sql.query('SELECT seq, kind, applied_at IS NOT NULL AS applied FROM data_outbox WHERE transaction_id = $1 ORDER BY id', [res.body.transaction_id]);
      return marked.every((r: { applied: boolean }) => r.applied) ? marked : undefined;
    });
    expect(rows).toEqual([
      { seq: 0, kind: 'invalidate', applied: true },
      { seq: 2, kind: 'redis', applied: true },
    ]);
  });
});

/** Without REDIS_URL (embedded mode) the effects land in the in-process store, the same way. */
describe('POST /api/v1/data/transaction with the in-process store', () => {
  let t: TestApp;
  const user = { id: randomUUID(), token: '' };
  const read = async (keys: string[]) =>
    (await request(t.app).post('/api/v1/data/query').set(bearer(user.token)).send({ database: 'redis', query_type: 'get', keys }).expect(200)).body.data;

  beforeAll(async () => {
    t = await buildTestApp({ env: { REDIS_URL: undefined } });
    user.token = await aToken({ sub: user.id });
  });
  afterAll(() => t.close());

  it('applies every operation after the commit, once', async () => {
    const [s, n, h] = [aKey('s'), aKey('n'), aKey('h')];
    const res = await transaction(t.app, user.token, [
      redis('set', s, { value: 'v', ttl: 60 }),
      redis('incr', n),
      redis('expire', n, { ttl: 60 }),
      redis('hset', h, { fields: { a: '1', b: '2' } }),
      redis('hdel', h, { field: 'a' }),
    ]).expect(200);
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['success', 'success', 'success', 'success', 'success']);
    await expect(read([s, n, h])).resolves.toEqual({ [s]: 'v', [n]: '1', [h]: { b: '2' } });
  });
});
