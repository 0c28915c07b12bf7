import { InMemoryKeyValueStore } from '../../src/adapters/in-memory/fallbacks/in-memory-key-value-store';
import { keyValueStoreContract } from '../contract/key-value-store.contract';
import { FakeClock } from '../support/fake-clock';

keyValueStoreContract('InMemoryKeyValueStore', async () => {
  const clock = new FakeClock();
  const store = new InMemoryKeyValueStore(clock);
  return { store, elapse: async (ms) => clock.advance(ms), close: () => store.close() };
});

describe('InMemoryKeyValueStore', () => {
  it('reports itself as the in-process stand-in, its footprint growing with what it holds', async () => {
    const store = new InMemoryKeyValueStore(new FakeClock());
    const empty = await store.stats();
    await store.set('k', 'x'.repeat(1_000));
    const full = await store.stats();
    expect(empty).toEqual({ mode: 'in_process', usedMemoryBytes: 0 });
    expect(full.usedMemoryBytes).toBeGreaterThan(1_000);
    await store.close();
  });
});
