import { InMemoryQueryCache } from '../../src/adapters/in-memory/fallbacks/in-memory-query-cache';
import { queryCacheContract } from '../contract/query-cache.contract';
import { FakeClock } from '../support/fake-clock';

queryCacheContract('InMemoryQueryCache', async () => {
  const clock = new FakeClock();
  return { cache: new InMemoryQueryCache(clock), elapse: async (ms) => clock.advance(ms), close: async () => undefined };
});

describe('InMemoryQueryCache', () => {
  it('holds at most maxEntries values, dropping the oldest first', async () => {
    const cache = new InMemoryQueryCache(new FakeClock(), 2);
    const lookup = (key: string) => cache.lookup(key, ['t']).then((found) => found.value);
    await cache.store('a', [0], '1', 60);
    await cache.store('b', [0], '2', 60);
    await cache.store('c', [0], '3', 60);
    await expect(lookup('a')).resolves.toBeNull();
    await expect(lookup('b')).resolves.toBe('2');
    await expect(lookup('c')).resolves.toBe('3');
  });
});
