import { randomUUID } from 'node:crypto';
import type { ReadCache } from '../../src/application/database/reads/read-cache';
import type { CachedReadProbe } from '../contract/commit-effects.contract';

/**
 * A read cached through `cache`: read once (a miss that stores it), and the probe reads it again and
 * says whether that was a hit. `probeWith` may be another instance's cache over the same store.
 */
export function readCacheProbe(cache: ReadCache, probeWith: ReadCache = cache) {
  return async (tables: string[]): Promise<CachedReadProbe> => {
    const request = { what: randomUUID(), scope: { kind: 'owner', userId: 'u1' } as const, tables };
    await cache.read(request, async () => ['rows']);
    return async () => (await probeWith.read(request, async () => ['rows'])).cache === 'hit';
  };
}

/**
 * For doubles that only record what they were told to invalidate: a read cached now is still served
 * as long as no later call named one of its tables.
 */
export function recordedCallsProbe(calls: () => ReadonlyArray<readonly string[]>) {
  return async (tables: string[]): Promise<CachedReadProbe> => {
    const mark = calls().length;
    return async () => !calls().slice(mark).some((invalidated) => invalidated.some((table) => tables.includes(table)));
  };
}
