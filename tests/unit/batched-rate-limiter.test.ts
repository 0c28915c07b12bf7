import { BatchedRateLimiter } from '../../src/adapters/http/middleware/batched-rate-limiter';
import { InMemoryRateLimitCounter } from '../../src/adapters/in-memory/fallbacks/in-memory-rate-limit-counter';

describe('BatchedRateLimiter', () => {
  it('reserves batches of at most 1/50 of the limit, capped by RATE_LIMIT_BATCH: small limits stay exact', () => {
    const limiter = new BatchedRateLimiter(new InMemoryRateLimitCounter(), 60_000, 100);
    expect([3, 49, 50, 300, 5_000, 1_000_000].map((l) => limiter.batchFor(l))).toEqual([1, 1, 1, 6, 100, 100]);
    expect(new BatchedRateLimiter(new InMemoryRateLimitCounter(), 60_000, 1).batchFor(1_000_000)).toBe(1);
  });

  it('refuses a spent window locally, without asking the counter again, until it ends', async () => {
    let now = 1_000_000;
    const counter = new InMemoryRateLimitCounter(() => now);
    let calls = 0;
    const limiter = new BatchedRateLimiter({ reserve: (...a) => ((calls += 1), counter.reserve(...a)) }, 60_000, 100, () => now);
    for (let i = 0; i < 2; i++) expect(await limiter.take('k', 2)).toMatchObject({ allowed: true });
    for (let i = 0; i < 5; i++) expect(await limiter.take('k', 2)).toMatchObject({ allowed: false, remaining: 0, resetAt: 1_060_000 });
    expect(calls).toBe(3);
    now += 60_000;
    expect(await limiter.take('k', 2)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('shares one reservation among concurrent requests of a caller', async () => {
    const counter = new InMemoryRateLimitCounter();
    let calls = 0;
    const limiter = new BatchedRateLimiter({ reserve: (...a) => ((calls += 1), counter.reserve(...a)) }, 60_000, 100);
    const decisions = await Promise.all(Array.from({ length: 50 }, () => limiter.take('k', 10_000)));
    expect(decisions.every((d) => d.allowed)).toBe(true);
    expect(calls).toBe(1);
  });

  it('asks for enough for every waiting request when the batch is small, and still never beyond the limit', async () => {
    const counter = new InMemoryRateLimitCounter();
    let calls = 0;
    const limiter = new BatchedRateLimiter({ reserve: (...a) => ((calls += 1), counter.reserve(...a)) }, 60_000, 1);
    const decisions = await Promise.all(Array.from({ length: 10 }, () => limiter.take('k', 7)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(7);
    expect(calls).toBeLessThanOrEqual(3);
  });

  it('rejects (so the middleware lets the request through) when the shared counter fails, and recovers with it', async () => {
    let down = true;
    const counter = new InMemoryRateLimitCounter();
    const limiter = new BatchedRateLimiter({ reserve: (...a) => (down ? Promise.reject(new Error('Redis is down')) : counter.reserve(...a)) }, 60_000, 100);
    await expect(limiter.take('k', 3)).rejects.toThrow('Redis is down');
    down = false;
    expect(await limiter.take('k', 3)).toMatchObject({ allowed: true, remaining: 2 });
  });
});
