import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { BatchedRateLimiter } from '../../src/adapters/http/middleware/batched-rate-limiter';
import { createRedisClient, waitUntilReady } from '../../src/adapters/redis/redis-client';
import { RedisRateLimitCounter } from '../../src/adapters/redis/redis-rate-limit-counter';
import { rateLimitCounterContract } from '../contract/rate-limit-counter.contract';
import { capturingLogger } from '../support/capturing-logger';
import { currentRun } from '../support/run-resources';

const silent = capturingLogger('silent').logger;

async function aClient(prefix: string): Promise<Redis> {
  const client = createRedisClient({ url: currentRun().redisUrl, keyPrefix: prefix, connectTimeoutMs: 5_000 }, silent);
  if (!(await waitUntilReady(client, 5_000))) throw new Error('Redis is not ready');
  return client;
}

const aPrefix = () => `${currentRun().keyPrefix}rl-${randomBytes(4).toString('hex')}:`;

rateLimitCounterContract('RedisRateLimitCounter', async () => {
  const prefix = aPrefix();
  const [one, two] = await Promise.all([aClient(prefix), aClient(prefix)]);
  return { counter: new RedisRateLimitCounter(one), peer: new RedisRateLimitCounter(two), close: async () => void (await Promise.all([one.quit(), two.quit()])) };
});

/** Three processes' worth of limiters: each its own memory and its own Redis connection, one key space. */
describe('RedisRateLimitCounter with BatchedRateLimiter', () => {
  const PROCESSES = 3;
  let prefix: string;
  let clients: Redis[];
  beforeAll(async () => {
    prefix = aPrefix();
    clients = await Promise.all(Array.from({ length: PROCESSES }, () => aClient(prefix)));
  });
  afterAll(() => Promise.all(clients.map((c) => c.quit())));

  it('never grants more than the limit, whatever the concurrency', async () => {
    const counters = clients.map((c) => new RedisRateLimitCounter(c));
    const key = `user:${randomUUID()}`;
    const grants = await Promise.all(Array.from({ length: 90 }, (_, i) => counters[i % PROCESSES]!.reserve(key, 100, 7, 60_000)));
    expect(grants.reduce((sum, g) => sum + g.granted, 0)).toBe(100);
    expect(Math.max(...grants.map((g) => g.used))).toBe(100);
  });

  it('keeps the counter as one key under the service prefix, expiring with the window', async () => {
    const key = `user:${randomUUID()}`;
    const grant = await new RedisRateLimitCounter(clients[0]!).reserve(key, 10, 4, 60_000);
    expect(grant).toMatchObject({ granted: 4, used: 4 });
    expect(grant.resetAt - Date.now()).toBeGreaterThan(55_000);
    const raw = new Redis(currentRun().redisUrl);
    try {
      expect(await raw.get(`${prefix}ratelimit:${key}`)).toBe('4');
      expect(await raw.pttl(`${prefix}ratelimit:${key}`)).toBeGreaterThan(55_000);
    } finally {
      raw.disconnect();
    }
  });

  it('lets N limiters hammered together admit at most the limit and at least the limit minus (N - 1) batches', async () => {
    const LIMIT = 1_000;
    const limiters = clients.map((c) => new BatchedRateLimiter(new RedisRateLimitCounter(c), 60_000, 100));
    const batch = limiters[0]!.batchFor(LIMIT);
    expect(batch).toBe(20);
    const key = `user:${randomUUID()}`;
    let allowed = 0;
    // Each "process" sends 1,500 requests, 25 in flight at a time: 4,500 against a limit of 1,000.
    await Promise.all(
      limiters.flatMap((limiter) =>
        Array.from({ length: 25 }, async () => {
          for (let i = 0; i < 60; i++) if ((await limiter.take(key, LIMIT)).allowed) allowed += 1;
        }),
      ),
    );
    expect(allowed).toBeLessThanOrEqual(LIMIT);
    expect(allowed).toBeGreaterThanOrEqual(LIMIT - (PROCESSES - 1) * batch);
  });

  it('asks Redis once per batch, not once per request', async () => {
    const counter = new RedisRateLimitCounter(clients[0]!);
    let calls = 0;
    const limiter = new BatchedRateLimiter({ reserve: (...args) => ((calls += 1), counter.reserve(...args)) }, 60_000, 100);
    const key = `user:${randomUUID()}`;
    for (let i = 0; i < 500; i++) expect((await limiter.take(key, 1_000_000)).allowed).toBe(true);
    expect(calls).toBe(5);
  });

  it('starts a new window once the old one ends', async () => {
    const limiters = clients.slice(0, 2).map((c) => new BatchedRateLimiter(new RedisRateLimitCounter(c), 1_000, 100));
    const key = `user:${randomUUID()}`;
    const statuses = async () => {
      const seen: boolean[] = [];
      for (let i = 0; i < 4; i++) seen.push((await limiters[i % 2]!.take(key, 3)).allowed);
      return seen;
    };
    expect(await statuses()).toEqual([true, true, true, false]);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await statuses()).toEqual([true, true, true, false]);
  });
});
