import { randomUUID } from 'node:crypto';
import type { CdnPurger } from '../../src/application/ports/cdn.port';
import type { CdnTarget } from '../../src/domain/storage/cdn';
import { CdnSyncFailed } from '../../src/domain/storage/errors';

export interface CdnPurgerUnderTest {
  purger: CdnPurger;
  /** Gets `target` (and the query-string variant `?variant`) cached by the CDN, or recorded as cached by the fake. */
  prime(target: CdnTarget, variant?: string): Promise<void>;
  /** Whether the CDN would now fetch `target` (with that query string) from the origin again. */
  wasPurged(target: CdnTarget, variant?: string): Promise<boolean>;
  /** How many purge calls reached the provider so far (requests, not URLs). */
  purgeCalls(): number;
  /** Makes the provider refuse the next purge call (a 5xx or an API error body). */
  refuseNext(): void;
  /** A credential the adapter holds, which must never appear in an error message (undefined: none). */
  secret?: string;
  close(): Promise<void>;
}

/** A target with fresh ids; `base` is the public CDN base URL the harness serves. */
export function aCdnTarget(base: string, kind: 'files' | 'thumbnails' = 'files'): CdnTarget {
  const fileId = randomUUID();
  const path = kind === 'files' ? `/cdn/files/${fileId}/0123456789abcdef` : `/cdn/thumbnails/${fileId}`;
  return { fileId, path, url: `${base}${path}` };
}

/** A purger with no cache behind it (provider none): there is nothing to prime, purge or refuse. */
export interface CachelessCdnPurgerUnderTest {
  purger: CdnPurger;
  close(): Promise<void>;
}

/**
 * What every CdnPurger promises: Varnish, Cloudflare, Azure CDN and the fake purge what they are given
 * from a shared cache. `none` (cache: 'none') has no cache: it is held to purging nothing, claiming
 * nothing and never failing, which is all it promises.
 */
export function cdnPurgerContract(name: string, base: string, make: () => Promise<CdnPurgerUnderTest>): void;
export function cdnPurgerContract(name: string, base: string, make: () => Promise<CachelessCdnPurgerUnderTest>, cache: 'none'): void;
export function cdnPurgerContract(name: string, base: string, make: () => Promise<CdnPurgerUnderTest | CachelessCdnPurgerUnderTest>, cache: 'shared' | 'none' = 'shared'): void {
  if (cache === 'none') return cachelessContract(name, base, make);
  describe(`${name} (CdnPurger contract)`, () => {
    let h: CdnPurgerUnderTest;
    beforeAll(async () => {
      h = withCache(await make());
    });
    afterAll(() => h.close());

    it('purges exactly the given URLs and reports how many', async () => {
      const [a, b, untouched] = [aCdnTarget(base), aCdnTarget(base, 'thumbnails'), aCdnTarget(base)];
      for (const t of [a!, b!, untouched!]) await h.prime(t);
      await expect(h.purger.purge([a!, b!])).resolves.toBe(2);
      expect(await h.wasPurged(a!)).toBe(true);
      expect(await h.wasPurged(b!)).toBe(true);
      expect(await h.wasPurged(untouched!)).toBe(false);
    });

    it('purges the query-string variants of a path too (signed URLs of private files)', async () => {
      const t = aCdnTarget(base);
      await h.prime(t, 'expires=1700000000&signature=abc');
      await h.purger.purge([t]);
      expect(await h.wasPurged(t, 'expires=1700000000&signature=abc')).toBe(true);
    });

    it('sends nothing for an empty list', async () => {
      const before = h.purgeCalls();
      await expect(h.purger.purge([])).resolves.toBe(0);
      expect(h.purgeCalls()).toBe(before);
    });

    it('purges a batch larger than one API call takes', async () => {
      const targets = Array.from({ length: 120 }, () => aCdnTarget(base));
      for (const t of targets) await h.prime(t);
      await expect(h.purger.purge(targets)).resolves.toBe(120);
      for (const t of [targets[0]!, targets[59]!, targets[119]!]) expect(await h.wasPurged(t)).toBe(true);
    });

    it('fails with CDN_SYNC_FAILED when the provider refuses, naming no credential', async () => {
      const t = aCdnTarget(base);
      await h.prime(t);
      h.refuseNext();
      const error = await h.purger.purge([t]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CdnSyncFailed);
      if (h.secret) expect(JSON.stringify({ m: (error as Error).message, d: (error as CdnSyncFailed).details })).not.toContain(h.secret);
      // The provider works again afterwards.
      await expect(h.purger.purge([t])).resolves.toBe(1);
      expect(await h.wasPurged(t)).toBe(true);
    });
  });
}

function cachelessContract(name: string, base: string, make: () => Promise<CachelessCdnPurgerUnderTest>): void {
  describe(`${name} (CdnPurger contract, no cache)`, () => {
    let h: CachelessCdnPurgerUnderTest;
    beforeAll(async () => {
      h = await make();
    });
    afterAll(() => h.close());

    it('is the none provider', () => {
      expect(h.purger.provider).toBe('none');
    });

    it('claims no URL purged, for an empty list or any other', async () => {
      await expect(h.purger.purge([])).resolves.toBe(0);
      await expect(h.purger.purge([aCdnTarget(base), aCdnTarget(base, 'thumbnails')])).resolves.toBe(0);
    });

    it('never fails, however large the batch: there is no provider to refuse it', async () => {
      await expect(h.purger.purge(Array.from({ length: 120 }, () => aCdnTarget(base)))).resolves.toBe(0);
    });
  });
}

function withCache(h: CdnPurgerUnderTest | CachelessCdnPurgerUnderTest): CdnPurgerUnderTest {
  if (!('prime' in h)) throw new Error("This harness has no cache: run the contract with cache 'none'");
  return h;
}
