import { InMemoryKeyValueStore } from '../../src/adapters/in-memory/fallbacks/in-memory-key-value-store';
import { InMemoryRedisEffects } from '../../src/adapters/in-memory/fallbacks/in-memory-redis-effects';
import { KeyValueUnavailable } from '../../src/domain/shared/errors';
import { redisEffectsContract } from '../contract/redis-effects.contract';

async function read(store: InMemoryKeyValueStore, key: string) {
  const kind = await store.kindOf(key);
  if (kind === 'none') return null;
  return kind === 'hash' ? store.hgetall(key) : store.get(key);
}

redisEffectsContract('InMemoryRedisEffects', async () => {
  const store = new InMemoryKeyValueStore();
  return { effects: new InMemoryRedisEffects(store), read: (key) => read(store, key), ttl: (key) => store.ttl(key), close: () => store.close() };
});

describe('InMemoryRedisEffects', () => {
  it('fails as Redis does when the store is down, applying nothing', async () => {
    const store = new InMemoryKeyValueStore();
    const effects = new InMemoryRedisEffects(store);
    effects.down = true;
    await expect(effects.apply([{ marker: 'm', command: { op: 'incr', key: 'n' } }])).rejects.toBeInstanceOf(KeyValueUnavailable);
    effects.down = false;
    await expect(effects.apply([{ marker: 'm', command: { op: 'incr', key: 'n' } }])).resolves.toEqual([{ status: 'applied' }]);
    await expect(store.get('n')).resolves.toBe('1');
    await store.close();
  });
});
