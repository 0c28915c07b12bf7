import { randomUUID } from 'node:crypto';
import type { CdnTrafficSource } from '../../src/application/ports/cdn.port';
import type { CdnHit } from '../../src/domain/storage/cdn';
import { eventually } from '../support/eventually';

export interface CdnTrafficSourceUnderTest {
  /** Not started yet: the contract starts it with its own `record`. */
  source: CdnTrafficSource;
  /** A client's GET of `url` through the CDN, and what the client saw. */
  request(url: string): Promise<{ hit: boolean; bytes: number }>;
  /** Closes the source (again) and whatever the harness started. */
  close(): Promise<void>;
}

/** Recorded hits, and a way to wait until the source is attached to the log and has caught up. */
function recorder(s: CdnTrafficSourceUnderTest) {
  const recorded: CdnHit[] = [];
  /** A log read from its tail misses what came before it started: a marker request shows it is reading. */
  const caughtUp = () => {
    const marker = `/cdn/files/${randomUUID()}/marker`;
    return eventually('the source to record a marker request', async () => {
      await s.request(marker);
      return recorded.some((h) => h.path === marker) ? true : undefined;
    });
  };
  return { recorded, caughtUp };
}

/**
 * What every CdnTrafficSource promises to the traffic counter: each request the CDN answered, once,
 * by path (query string dropped: signed URLs differ per client), hit or miss, body bytes and time, in
 * the order logged; a batch whose recording fails is not the end of reading; nothing after close.
 */
export function cdnTrafficSourceContract(name: string, make: () => Promise<CdnTrafficSourceUnderTest>): void {
  describe(`${name} (CdnTrafficSource contract)`, () => {
    let s: CdnTrafficSourceUnderTest;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(() => s.close());

    it('records a miss then a hit of one path, without its query string, with body bytes and time', async () => {
      const { recorded, caughtUp } = recorder(s);
      await s.source.start(async (hits) => void recorded.push(...hits));
      await caughtUp();
      const path = `/cdn/files/${randomUUID()}/0123456789abcdef`;
      const signed = `${path}?expires=1700000000&signature=abc`;
      const startedAt = Date.now();
      const first = await s.request(signed);
      const second = await s.request(signed);
      expect([first.hit, second.hit]).toEqual([false, true]);
      await caughtUp();

      // Varnish closes a miss's log record only after its fetch ends, so the hit right after it may
      // be logged first: compare the two without their order (order is the next test's subject).
      const ofPath = recorded.filter((h) => h.path === path).sort((a, b) => Number(a.hit) - Number(b.hit));
      expect(ofPath).toEqual([
        { path, hit: false, bytes: first.bytes, at: expect.any(Date), region: null },
        { path, hit: true, bytes: second.bytes, at: expect.any(Date), region: null },
      ]);
      for (const h of recorded.filter((r) => r.path === path)) expect(Math.abs(h.at.getTime() - startedAt)).toBeLessThan(10_000);
    });

    it('hands requests over in the order they were logged', async () => {
      const { recorded, caughtUp } = recorder(s);
      await s.source.start(async (hits) => void recorded.push(...hits));
      await caughtUp();
      const paths = Array.from({ length: 5 }, (_, i) => `/cdn/files/${randomUUID()}/in-order-${i}`);
      for (const path of paths) await s.request(path);
      await caughtUp();
      expect(recorded.map((h) => h.path).filter((p) => paths.includes(p))).toEqual(paths);
    });

    it('keeps reading after recording a batch fails', async () => {
      const { recorded, caughtUp } = recorder(s);
      let failNext = false;
      let failed = 0;
      await s.source.start(async (hits) => {
        if (failNext) {
          failNext = false;
          failed += 1;
          throw new Error('database down');
        }
        recorded.push(...hits);
      });
      await caughtUp();
      failNext = true;
      await eventually('a batch to fail', async () => {
        await s.request(`/cdn/files/${randomUUID()}/lost`);
        return failed > 0 ? true : undefined;
      });
      const after = `/cdn/files/${randomUUID()}/after-the-failure`;
      await s.request(after);
      await caughtUp();
      expect(recorded.some((h) => h.path === after)).toBe(true);
    });

    it('records nothing once close has resolved', async () => {
      const { recorded, caughtUp } = recorder(s);
      await s.source.start(async (hits) => void recorded.push(...hits));
      await caughtUp();
      await s.source.close();
      const seen = recorded.length;
      await s.request(`/cdn/files/${randomUUID()}/after-close`);
      await new Promise((r) => setTimeout(r, 600));
      expect(recorded).toHaveLength(seen);
    });
  });
}
