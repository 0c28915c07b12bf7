import { randomInt } from 'node:crypto';
import type { RedisConnection } from './redis-client';
import type { QueryCache } from '../../application/ports/query-cache.port';
import { KeyValueUnavailable } from '../../domain/shared/errors';

const genKey = (table: string) => `cache:gen:${table}`;
const entryKey = (key: string) => `cache:q:${key}`;

/**
 * A generation that starts at random rather than at 0: should Redis ever evict a counter while
 * entries keyed with its old values live on, the counter restarts far from them and cannot meet
 * them again. Counters carry no TTL, so volatile-* eviction policies never pick them.
 */
const seed = () => String(randomInt(1, 2 ** 40));

/** An entry is `<generations>\n<value>`: read with the counters in one MGET, trusted only if they match. */
const stamp = (generations: readonly number[], value: string) => `${generations.join(',')}\n${value}`;

function unstamp(entry: string | null, generations: readonly number[]): string | null {
  if (entry === null) return null;
  const newline = entry.indexOf('\n');
  return newline >= 0 && entry.slice(0, newline) === generations.join(',') ? entry.slice(newline + 1) : null;
}

/**
 * Per table (KEYS[i], with its seed in ARGV[i]): seed the counter if it is missing, then move it on.
 * One script, so a transaction's invalidation is one command and one round trip, and atomic, as the
 * MULTI it replaces (SET NX, INCR per table, inside MULTI/EXEC: four commands for one table) was.
 */
const BUMP_SCRIPT = `
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], ARGV[i], 'NX')
  redis.call('INCR', KEYS[i])
end
return #KEYS`;
const BUMP = 'vbBumpCacheGenerations';

type BumpClient = RedisConnection & { [BUMP]: (numKeys: number, ...keysAndArgs: string[]) => Promise<number> };

/** QueryCache over ioredis (the shared, key-prefixed client). Every failure is KeyValueUnavailable. */
export class RedisQueryCache implements QueryCache {
  private readonly scripts: BumpClient;

  constructor(private readonly redis: RedisConnection) {
    if (!(BUMP in redis)) redis.defineCommand(BUMP, { lua: BUMP_SCRIPT });
    this.scripts = redis as BumpClient;
  }

  async generations(tables: readonly string[]): Promise<number[]> {
    if (tables.length === 0) return [];
    const keys = tables.map(genKey);
    let values = await this.run(() => this.redis.mget(...keys));
    const missing = keys.filter((_, i) => values[i] === null);
    if (missing.length > 0) {
      // First read of a table: seed its counter (NX: a concurrent seed or bump wins), then read again.
      await this.exec(missing.reduce((multi, key) => multi.set(key, seed(), 'NX'), this.redis.multi()));
      values = await this.run(() => this.redis.mget(...keys));
    }
    return values.map((value) => Number(value));
  }

  async bump(tables: readonly string[]): Promise<void> {
    if (tables.length === 0) return;
    const keys = [...new Set(tables)].map(genKey);
    await this.run(() => this.scripts[BUMP](keys.length, ...keys, ...keys.map(seed)));
  }

  async lookup(key: string, tables: readonly string[]): Promise<{ value: string | null; generations: number[] }> {
    const [entry, ...current] = await this.run(() => this.redis.mget(entryKey(key), ...tables.map(genKey)));
    if (current.some((value) => value === null)) return { value: null, generations: await this.generations(tables) };
    const generations = current.map(Number);
    return { value: unstamp(entry ?? null, generations), generations };
  }

  async store(key: string, generations: readonly number[], value: string, ttlSeconds: number): Promise<void> {
    await this.run(() => this.redis.set(entryKey(key), stamp(generations, value), 'EX', ttlSeconds));
  }

  private async exec(multi: ReturnType<RedisConnection['multi']>): Promise<void> {
    const results = await this.run(() => multi.exec());
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw new KeyValueUnavailable('Redis did not apply the cache update', { store: 'redis' });
  }

  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch {
      throw new KeyValueUnavailable('Redis is unavailable', { store: 'redis' });
    }
  }
}
