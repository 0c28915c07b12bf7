import type { RedisEffect, RedisEffects } from '../../src/application/ports/redis-effects.port';
import type { RedisCommand } from '../../src/domain/database/redis-command';

export interface RedisEffectsUnderTest {
  effects: RedisEffects;
  /** What a key holds: its string, its hash's fields, or null. */
  read(key: string): Promise<string | Record<string, string> | null>;
  ttl(key: string): Promise<number>;
  close(): Promise<void>;
}

let sequence = 0;
/** An effect with a marker never used before, as a new outbox entry has. */
const effect = (command: RedisCommand): RedisEffect => ({ marker: `tx_contract:${++sequence}`, command });

/** What every RedisEffects promises, Redis or the in-process store: each effect in order, exactly once. */
export function redisEffectsContract(name: string, make: () => Promise<RedisEffectsUnderTest>): void {
  describe(`${name} (RedisEffects contract)`, () => {
    let s: RedisEffectsUnderTest;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(() => s.close());

    it('applies every command, in order', async () => {
      const outcomes = await s.effects.apply([
        effect({ op: 'set', key: 's', value: 'v', ttlSeconds: null }),
        effect({ op: 'set', key: 't', value: 'w', ttlSeconds: 100 }),
        effect({ op: 'incr', key: 'n' }),
        effect({ op: 'incr', key: 'n' }),
        effect({ op: 'expire', key: 'n', ttlSeconds: 50 }),
        effect({ op: 'hset', key: 'h', fields: { a: '1', b: '2' } }),
        effect({ op: 'hdel', key: 'h', fields: ['a', 'missing'] }),
        effect({ op: 'hset', key: 'empty', fields: { x: '1' } }),
        effect({ op: 'hdel', key: 'empty', fields: ['x'] }),
        effect({ op: 'set', key: 'gone', value: 'x', ttlSeconds: null }),
        effect({ op: 'del', key: 'gone' }),
        effect({ op: 'set', key: 'order', value: 'first', ttlSeconds: null }),
        effect({ op: 'set', key: 'order', value: 'second', ttlSeconds: null }),
      ]);
      expect(outcomes).toEqual(Array.from({ length: 13 }, () => ({ status: 'applied' })));
      await expect(s.read('s')).resolves.toBe('v');
      await expect(s.ttl('s')).resolves.toBe(-1);
      expect(await s.ttl('t')).toBeGreaterThan(90);
      await expect(s.read('n')).resolves.toBe('2');
      expect(await s.ttl('n')).toBeGreaterThan(40);
      await expect(s.read('h')).resolves.toEqual({ b: '2' });
      await expect(s.read('empty')).resolves.toBeNull();
      await expect(s.read('gone')).resolves.toBeNull();
      await expect(s.read('order')).resolves.toBe('second');
    });

    it('applies an effect once however often it is retried', async () => {
      const batch = [effect({ op: 'incr', key: 'n' }), effect({ op: 'set', key: 's', value: 'old', ttlSeconds: null })];
      await s.effects.apply(batch);
      await s.effects.apply([effect({ op: 'set', key: 's', value: 'new', ttlSeconds: null })]);
      // The retry of a batch whose reply was lost: nothing of it runs twice, nothing newer is overwritten.
      await expect(s.effects.apply(batch)).resolves.toEqual([{ status: 'applied' }, { status: 'applied' }]);
      await expect(s.read('n')).resolves.toBe('1');
      await expect(s.read('s')).resolves.toBe('new');
    });

    it('reports a command refused for good, goes on with the next, and never runs the refused one again', async () => {
      const refused = effect({ op: 'incr', key: 'word' });
      await s.effects.apply([effect({ op: 'set', key: 'word', value: 'abc', ttlSeconds: null })]);
      const outcomes = await s.effects.apply([refused, effect({ op: 'hset', key: 'word', fields: { a: '1' } }), effect({ op: 'set', key: 'after', value: 'ok', ttlSeconds: null })]);
      expect(outcomes).toEqual([
        { status: 'rejected', reason: expect.stringMatching(/not an integer/) },
        { status: 'rejected', reason: expect.stringMatching(/WRONGTYPE/) },
        { status: 'applied' },
      ]);
      await s.effects.apply([effect({ op: 'set', key: 'word', value: '5', ttlSeconds: null })]);
      await expect(s.effects.apply([refused])).resolves.toEqual([{ status: 'applied' }]);
      await expect(s.read('word')).resolves.toBe('5');
      await expect(s.read('after')).resolves.toBe('ok');
    });

    it('does nothing for no effects', async () => {
      await expect(s.effects.apply([])).resolves.toEqual([]);
    });
  });
}
