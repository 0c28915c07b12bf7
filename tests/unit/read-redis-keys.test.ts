import { InMemoryKeyValueStore } from '../../src/adapters/in-memory/fallbacks/in-memory-key-value-store';
import { ReadRedisKeys } from '../../src/application/database/reads/read-redis-keys';
import type { KeyValueStore } from '../../src/application/ports/key-value-store.port';
import { KeyValueUnavailable, ValidationFailed } from '../../src/domain/shared/errors';
import { FakeClock } from '../support/fake-clock';
import { aCaller } from '../support/read-fakes';

const ALICE = '3f1d2c4b-5a6e-4f70-8123-456789abcdef';
const BOB = '9b2f0c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';

describe('ReadRedisKeys', () => {
  let store: InMemoryKeyValueStore;
  let readKeys: ReadRedisKeys;
  beforeEach(async () => {
    store = new InMemoryKeyValueStore(new FakeClock());
    readKeys = new ReadRedisKeys(store);
    await store.set(`data:user:${ALICE}:greeting`, 'hello');
    await store.hset(`data:user:${ALICE}:profile`, { name: 'Alice' });
    await store.set(`data:user:${BOB}:greeting`, 'hi, Bob here');
    await store.set('data:greeting', 'shared');
  });
  afterEach(() => store.close());

  it('reads strings, hashes and missing keys in the caller\'s namespace', async () => {
    await expect(readKeys.execute({ caller: aCaller('user', ALICE), keys: ['greeting', 'profile', 'none'] })).resolves.toEqual({
      greeting: 'hello',
      profile: { name: 'Alice' },
      none: null,
    });
    await expect(readKeys.execute({ caller: aCaller('premium', BOB), keys: ['greeting', 'profile'] })).resolves.toEqual({ greeting: 'hi, Bob here', profile: null });
    await expect(readKeys.execute({ caller: aCaller('admin', BOB), keys: ['greeting', `user:${ALICE}:greeting`] })).resolves.toEqual({
      greeting: 'shared',
      [`user:${ALICE}:greeting`]: 'hello',
    });
  });

  it('keeps a key named __proto__ as plain data', async () => {
    await store.set(`data:user:${ALICE}:__proto__`, 'x');
    const data = await readKeys.execute({ caller: aCaller('user', ALICE), keys: ['__proto__'] });
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(data))).toEqual(JSON.parse('{"__proto__":"x"}'));
  });

  it('refuses bad keys and bad counts, naming each', async () => {
    const error = (await readKeys.execute({ caller: aCaller('user', ALICE), keys: ['ok', 'not ok', '*'] }).catch((e: unknown) => e)) as ValidationFailed;
    expect(error).toBeInstanceOf(ValidationFailed);
    expect((error.details.issues as Array<{ path: string }>).map((i) => i.path)).toEqual(['keys.1', 'keys.2']);
    await expect(readKeys.execute({ caller: aCaller(), keys: [] })).rejects.toBeInstanceOf(ValidationFailed);
  });

  it('passes an unreachable store on as KeyValueUnavailable', async () => {
    const down = new Proxy({} as KeyValueStore, { get: () => async () => Promise.reject(new KeyValueUnavailable('Redis is unavailable')) });
    await expect(new ReadRedisKeys(down).execute({ caller: aCaller(), keys: ['k'] })).rejects.toBeInstanceOf(KeyValueUnavailable);
  });
});
