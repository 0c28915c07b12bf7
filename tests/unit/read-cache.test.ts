import { ReadCache } from '../../src/application/database/reads/read-cache';
import type { PendingInvalidations } from '../../src/application/ports/pending-invalidations.port';
import { KeyValueUnavailable } from '../../src/domain/shared/errors';
import { cacheInvalidatorContract } from '../contract/cache-invalidator.contract';
import { readCacheProbe } from '../support/cached-read-probes';
import { capturingLogger } from '../support/capturing-logger';
import { CountingObserver, ScriptedPending, SwitchableQueryCache } from '../support/read-fakes';

const scope = { kind: 'owner', userId: 'u1' } as const;

function world(pending: PendingInvalidations | null = new ScriptedPending()) {
  let now = 0;
  const store = new SwitchableQueryCache();
  const observer = new CountingObserver();
  const cache = new ReadCache(store, observer, pending, capturingLogger('silent').logger, { ttlSeconds: 300, recheckMs: 1_000, now: () => now });
  let loads = 0;
  const read = (what: unknown = 'q', tables = ['projects']) =>
    cache.read({ what, scope, tables }, async () => {
      loads++;
      return { rows: [loads] };
    });
  return { store, observer, cache, read, loads: () => loads, advance: (ms: number) => (now += ms) };
}

cacheInvalidatorContract(
  'ReadCache over the in-memory query cache',
  async () => {
    const { cache, store } = world();
    return { invalidator: cache, cachedRead: readCacheProbe(cache), storeDown: async () => void (store.down = true), close: async () => undefined };
  },
  { outage: true },
);

describe('ReadCache', () => {
  it('misses, stores, then hits with the stored value; counts both', async () => {
    const { read, observer } = world();
    expect(await read()).toEqual({ value: { rows: [1] }, cache: 'miss' });
    expect(await read()).toEqual({ value: { rows: [1] }, cache: 'hit' });
    expect([observer.misses, observer.hits]).toEqual([1, 1]);
  });

  it('starts off until it has checked that no invalidation is owed', async () => {
    const pending = new ScriptedPending();
    pending.owed = true;
    const { read, advance } = world(pending);
    expect((await read()).cache).toBe('bypass');
    pending.owed = false;
    advance(1_000);
    expect((await read()).cache).toBe('miss');
  });

  it('serves from the loader with "bypass" when the store fails, counting nothing', async () => {
    const { read, store, observer } = world();
    await read();
    store.down = true;
    expect(await read()).toEqual({ value: { rows: [2] }, cache: 'bypass' });
    expect([observer.misses, observer.hits]).toEqual([1, 0]);
  });

  it('reports "bypass" when storing a missed value fails', async () => {
    const { read, store, cache } = world();
    await read('warm-up');
    store.store = async () => {
      throw new KeyValueUnavailable('Redis is unavailable');
    };
    expect((await read('other')).cache).toBe('bypass');
    await expect(cache.invalidate([])).resolves.toBeUndefined();
  });

  it('after a failure, stays off until no invalidation is owed, asking at most once per second', async () => {
    const pending = new ScriptedPending();
    const { read, store, advance } = world(pending);
    await read();
    store.down = true;
    await read();
    store.down = false;
    pending.owed = true;
    const callsBefore = pending.calls;
    for (let i = 0; i < 5; i++) expect((await read()).cache).toBe('bypass');
    expect(pending.calls).toBe(callsBefore);
    advance(1_000);
    expect((await read()).cache).toBe('bypass');
    expect(pending.calls).toBe(callsBefore + 1);
    pending.owed = false;
    advance(999);
    expect((await read()).cache).toBe('bypass');
    advance(1);
    expect((await read()).cache).toBe('hit');
  });

  it('stays off while the pending check itself fails', async () => {
    const pending = new ScriptedPending();
    pending.failing = true;
    const { read, advance } = world(pending);
    expect((await read()).cache).toBe('bypass');
    advance(1_000);
    expect((await read()).cache).toBe('bypass');
  });

  it('comes back after a second when no PendingInvalidations is bound', async () => {
    const { read, store, advance } = world(null);
    store.down = true;
    expect((await read()).cache).toBe('bypass');
    store.down = false;
    expect((await read()).cache).toBe('bypass');
    advance(1_000);
    expect((await read()).cache).toBe('miss');
  });

  it('throws when an invalidation cannot be made, and turns itself off', async () => {
    const { read, store, cache } = world();
    await read();
    store.down = true;
    await expect(cache.invalidate(['projects'])).rejects.toBeInstanceOf(KeyValueUnavailable);
    store.down = false;
    expect((await read()).cache).toBe('bypass');
  });
  it('readText stores the loaded text and hands a hit back as that same text, unparsed', async () => {
    const { cache, store } = world();
    let loads = 0;
    const readText = () => cache.readText({ what: 'page', scope, tables: ['projects'] }, async () => `[1,[{"n":${++loads}}]]`);
    expect(await readText()).toEqual({ value: '[1,[{"n":1}]]', cache: 'miss' });
    expect(await readText()).toEqual({ value: '[1,[{"n":1}]]', cache: 'hit' });
    await cache.invalidate(['projects']);
    expect(await readText()).toEqual({ value: '[1,[{"n":2}]]', cache: 'miss' });
    store.down = true;
    expect(await readText()).toEqual({ value: '[1,[{"n":3}]]', cache: 'bypass' });
  });
});
