import { randomUUID } from 'node:crypto';
import type { RateLimitCounter } from '../../src/application/ports/rate-limit-counter.port';

export interface RateLimitCounterUnderTest {
  counter: RateLimitCounter;
  /** A second view of the same counters (another instance), where the adapter shares them; else undefined. */
  peer?: RateLimitCounter;
  close(): Promise<void>;
}

/** What every RateLimitCounter promises, Redis or in-process. */
export function rateLimitCounterContract(name: string, make: () => Promise<RateLimitCounterUnderTest>): void {
  describe(`${name} (RateLimitCounter contract)`, () => {
    let s: RateLimitCounterUnderTest;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(() => s.close());

    it('grants up to `want` of what is left, then what is left, then nothing, within one window', async () => {
      const key = `user:${randomUUID()}`;
      const first = await s.counter.reserve(key, 10, 4, 60_000);
      expect(first).toMatchObject({ granted: 4, used: 4 });
      expect(first.resetAt).toBeGreaterThan(Date.now() + 55_000);
      expect(first.resetAt).toBeLessThanOrEqual(Date.now() + 60_000);
      await expect(s.counter.reserve(key, 10, 4, 60_000)).resolves.toMatchObject({ granted: 4, used: 8 });
      await expect(s.counter.reserve(key, 10, 4, 60_000)).resolves.toMatchObject({ granted: 2, used: 10 });
      await expect((s.peer ?? s.counter).reserve(key, 10, 4, 60_000)).resolves.toMatchObject({ granted: 0, used: 10 });
    });

    it('never grants more than the limit to reservations racing each other', async () => {
      const key = `user:${randomUUID()}`;
      const grants = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 && s.peer ? s.peer : s.counter).reserve(key, 25, 3, 60_000)));
      expect(grants.reduce((sum, g) => sum + g.granted, 0)).toBe(25);
    });

    it('counts callers apart, and starts a fresh window once one ends', async () => {
      const [a, b] = [`user:${randomUUID()}`, `user:${randomUUID()}`];
      await expect(s.counter.reserve(a, 2, 2, 300)).resolves.toMatchObject({ granted: 2 });
      await expect(s.counter.reserve(b, 2, 1, 300)).resolves.toMatchObject({ granted: 1, used: 1 });
      await expect(s.counter.reserve(a, 2, 1, 300)).resolves.toMatchObject({ granted: 0 });
      await new Promise((resolve) => setTimeout(resolve, 350));
      await expect(s.counter.reserve(a, 2, 1, 300)).resolves.toMatchObject({ granted: 1, used: 1 });
    });
  });
}
