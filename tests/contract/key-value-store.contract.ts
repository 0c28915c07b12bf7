import type { KeyValueStore } from '../../src/application/ports/key-value-store.port';
import { KeyValueUnavailable } from '../../src/domain/shared/errors';

export interface KeyValueStoreUnderTest {
  store: KeyValueStore;
  /** Lets `ms` pass for the store: a fake clock for the in-memory store, real time for a server. */
  elapse(ms: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * What every KeyValueStore promises, Redis or its in-process stand-in, so that a unit test over the
 * fake says something about production. `make` gives a fresh, empty store.
 */
export function keyValueStoreContract(name: string, make: () => Promise<KeyValueStoreUnderTest>): void {
  describe(`${name} (KeyValueStore contract)`, () => {
    let s: KeyValueStoreUnderTest;
    let store: KeyValueStore;
    beforeEach(async () => {
      s = await make();
      store = s.store;
    });
    afterEach(() => s.close());

    it('returns null for a key never set', async () => {
      await expect(store.get('missing')).resolves.toBeNull();
    });

    it('returns what was set, and the last value set', async () => {
      await store.set('k', 'first');
      await expect(store.get('k')).resolves.toBe('first');
      await store.set('k', 'second');
      await expect(store.get('k')).resolves.toBe('second');
    });

    it('keeps values exactly: empty, unicode, JSON', async () => {
      const values = ['', 'héllo wörld ✓ 日本', JSON.stringify({ a: [1, 2], b: null })];
      for (const [i, value] of values.entries()) await store.set(`v${i}`, value);
      for (const [i, value] of values.entries()) await expect(store.get(`v${i}`)).resolves.toBe(value);
    });

    it('reports ttl: -2 for a missing key, -1 without expiry, the seconds left otherwise', async () => {
      await expect(store.ttl('missing')).resolves.toBe(-2);
      await store.set('forever', 'x');
      await expect(store.ttl('forever')).resolves.toBe(-1);
      await store.set('brief', 'x', 10);
      const ttl = await store.ttl('brief');
      expect(ttl).toBeGreaterThanOrEqual(9);
      expect(ttl).toBeLessThanOrEqual(10);
    });

    it('drops a previous expiry when a key is set again without one', async () => {
      await store.set('k', 'x', 10);
      await store.set('k', 'y');
      await expect(store.ttl('k')).resolves.toBe(-1);
    });

    it('forgets a key once its time to live has passed', async () => {
      await store.set('brief', 'x', 1);
      await store.set('lasting', 'y', 60);
      await s.elapse(1_200);
      await expect(store.get('brief')).resolves.toBeNull();
      await expect(store.ttl('brief')).resolves.toBe(-2);
      await expect(store.del('brief')).resolves.toBe(0);
      await expect(store.get('lasting')).resolves.toBe('y');
    });

    it('deletes: 1 for a key that was there, 0 for one that was not', async () => {
      await store.set('k', 'x');
      await expect(store.del('k')).resolves.toBe(1);
      await expect(store.get('k')).resolves.toBeNull();
      await expect(store.del('k')).resolves.toBe(0);
    });

    it('increments from nothing, from a stored integer, and keeps the key without expiry', async () => {
      await expect(store.incr('n')).resolves.toBe(1);
      await expect(store.incr('n')).resolves.toBe(2);
      await expect(store.get('n')).resolves.toBe('2');
      await expect(store.ttl('n')).resolves.toBe(-1);
      await store.set('m', '41');
      await expect(store.incr('m')).resolves.toBe(42);
    });

    it('keeps the expiry of a key it increments', async () => {
      await store.set('n', '5', 100);
      await expect(store.incr('n')).resolves.toBe(6);
      expect(await store.ttl('n')).toBeGreaterThanOrEqual(99);
    });

    it('starts over when incrementing an expired key', async () => {
      await store.set('n', '5', 1);
      await s.elapse(1_200);
      await expect(store.incr('n')).resolves.toBe(1);
      await expect(store.ttl('n')).resolves.toBe(-1);
    });

    it('refuses to increment a value that is not an integer, as a usage error rather than an outage, and leaves it', async () => {
      await store.set('word', 'abc');
      const error = await store.incr('word').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/not an integer/);
      expect(error).not.toBeInstanceOf(KeyValueUnavailable);
      await expect(store.get('word')).resolves.toBe('abc');
    });

    it('tells what a key holds: none, string or hash', async () => {
      await store.set('s', 'x');
      await store.hset('h', { a: '1' });
      await expect(store.kindOf('missing')).resolves.toBe('none');
      await expect(store.kindOf('s')).resolves.toBe('string');
      await expect(store.kindOf('h')).resolves.toBe('hash');
    });

    it('writes and reads hashes field by field, counting new fields', async () => {
      await expect(store.hset('h', { a: '1', b: 'héllo' })).resolves.toBe(2);
      await expect(store.hset('h', { b: '2', c: '' })).resolves.toBe(1);
      await expect(store.hgetall('h')).resolves.toEqual({ a: '1', b: '2', c: '' });
      await expect(store.hgetall('missing')).resolves.toEqual({});
    });

    it('gives a new hash no expiry, and deletes it like any key', async () => {
      await store.hset('h', { a: '1' });
      await expect(store.ttl('h')).resolves.toBe(-1);
      await store.del('h');
      await expect(store.kindOf('h')).resolves.toBe('none');
    });

    it('refuses a string command on a hash and a hash command on a string, as usage errors, leaving both', async () => {
      await store.set('s', 'x');
      await store.hset('h', { a: '1' });
      for (const call of [() => store.get('h'), () => store.incr('h'), () => store.hgetall('s'), () => store.hset('s', { a: '1' })]) {
        const error = await call().then(() => undefined, (e: unknown) => e);
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toMatch(/WRONGTYPE/);
        expect(error).not.toBeInstanceOf(KeyValueUnavailable);
      }
      await expect(store.get('s')).resolves.toBe('x');
      await expect(store.hgetall('h')).resolves.toEqual({ a: '1' });
    });

    it('describes itself', async () => {
      const stats = await store.stats();
      expect(['redis', 'in_process']).toContain(stats.mode);
      expect(stats.usedMemoryBytes === null || (Number.isInteger(stats.usedMemoryBytes) && stats.usedMemoryBytes >= 0)).toBe(true);
    });
  });
}
