import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import type { PendingInvalidations } from '../../src/application/ports/pending-invalidations.port';
import { TOKENS } from '../../src/infrastructure/tokens';
import { eventually } from '../support/eventually';
import { currentRun } from '../support/run-resources';
import { scratchDatabase } from '../support/scratch-database';
import { TcpProxy } from '../support/tcp-proxy';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken } from '../support/tokens';
import { aKey, aProjectRow, aUserRow, insert, redis, transaction, type Operation } from '../support/transaction-requests';

/**
 * Redis cut (through a TCP proxy) while transactions commit. The app has a database of its own, so
 * no other test file's relay can apply (or see) its pending effects: what happens is this app's doing.
 */
describe('POST /api/v1/data/transaction while Redis is down', () => {
  const proxy = TcpProxy.forUrl(currentRun().redisUrl);
  const prefix = `${currentRun().keyPrefix}outage-${randomBytes(4).toString('hex')}:`;
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let t: TestApp;
  let raw: Redis;
  let sql: Client;
  const user = { id: randomUUID(), token: '' };
  const run = (operations: Operation[]) => transaction(t.app, user.token, operations);
  const value = (key: string) => raw.get(`data:user:${user.id}:${key}`);
  const unapplied = async (transactionId: string) =>
    (await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM data_outbox WHERE transaction_id = $1 AND applied_at IS NULL', [transactionId])).rows[0]?.n;
  const allApplied = (transactionId: string) => eventually(`outbox of ${transactionId} applied`, async () => ((await unapplied(transactionId)) === 0 ? true : undefined));

  beforeAll(async () => {
    await proxy.start();
    scratch = await scratchDatabase();
    t = await buildTestApp({ env: { DATABASE_URL: scratch.url, REDIS_URL: proxy.rewrite(currentRun().redisUrl), REDIS_KEY_PREFIX: prefix } });
    raw = new Redis(currentRun().redisUrl, { keyPrefix: prefix, maxRetriesPerRequest: 1 });
    sql = new Client({ connectionString: scratch.url });
    await sql.connect();
    user.token = await aToken({ sub: user.id });
    await run([insert('users', aUserRow())]).expect(200);
  });
  afterAll(async () => {
    await proxy.restore();
    raw.disconnect();
    await sql.end();
    await t.close();
    await proxy.stop();
    await scratch.drop();
  });

  it('commits the PostgreSQL part, answers the Redis operations pending, and applies them exactly once when Redis is back', async () => {
    const [counter, flag] = [aKey('counter'), aKey('flag')];
    const title = `outage-${randomUUID()}`;
    await proxy.cut();
    const res = await run([insert('projects', aProjectRow({ title })), redis('incr', counter), redis('set', flag, { value: 'on', ttl: 600 })]).expect(200);
    expect(res.body.status).toBe('committed');
    expect(res.body.results).toEqual([
      { operation: 1, status: 'success', data: expect.objectContaining({ title }) },
      { operation: 2, status: 'pending' },
      { operation: 3, status: 'pending' },
    ]);
    const txId = res.body.transaction_id as string;
    expect((await sql.query('SELECT 1 FROM projects WHERE title = $1', [title])).rowCount).toBe(1);
    // Its invalidation is owed too, so the read cache stays bypassed until it is applied.
    await expect(t.container.get<PendingInvalidations>(TOKENS.PendingInvalidations).none()).resolves.toBe(false);
    // The relay keeps trying, in vain, for a few passes.
    await new Promise((r) => setTimeout(r, 1_500));
    await expect(value(counter)).resolves.toBeNull();
    expect(await unapplied(txId)).toBe(3);

    await proxy.restore();
    await allApplied(txId);
    await expect(value(counter)).resolves.toBe('1');
    await expect(value(flag)).resolves.toBe('on');
    await expect(t.container.get<PendingInvalidations>(TOKENS.PendingInvalidations).none()).resolves.toBe(true);

    // Redis applied them but PostgreSQL "forgot" (a reply lost, a crash before marking): the relay
    // applies them again, and each effect's marker makes the retry a no-op.
    await sql.query('UPDATE data_outbox SET applied_at = NULL WHERE transaction_id = $1', [txId]);
    await allApplied(txId);
    await expect(value(counter)).resolves.toBe('1');
  }, 30_000);

  it('keeps the order of effects across transactions: a later write never lands before an earlier pending one', async () => {
    const key = aKey('ordered');
    await proxy.cut();
    const first = await run([redis('set', key, { value: 'first' })]).expect(200);
    expect(first.body.results[0].status).toBe('pending');
    await proxy.restore();
    const client = t.container.get<Redis>(TOKENS.RedisClient);
    await eventually('the service reconnected to Redis', () => (client.status === 'ready' ? true : undefined));
    // The older entry is applied first: by this transaction's own commit, or by the relay before it.
    const second = await run([redis('set', key, { value: 'second' })]).expect(200);
    expect(second.body.results[0].status).toBe('success');
    await allApplied(first.body.transaction_id);
    await expect(value(key)).resolves.toBe('second');
  }, 30_000);
});
