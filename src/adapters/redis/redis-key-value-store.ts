import { ReplyError } from 'ioredis';
import type { RedisConnection } from './redis-client';
import type { KeyValueKind, KeyValueStats, KeyValueStore } from '../../application/ports/key-value-store.port';
import { KeyValueUnavailable } from '../../domain/shared/errors';

const UNAVAILABLE_REPLIES = /^(LOADING|BUSY|MASTERDOWN|READONLY|OOM|TRYAGAIN|CLUSTERDOWN)\b/;

/**
 * KeyValueStore over ioredis. The client is built with the key prefix and without an offline queue
 * (see redis-client.ts), so while Redis is down every call fails at once with KeyValueUnavailable
 * instead of piling up.
 */
export class RedisKeyValueStore implements KeyValueStore {
  constructor(private readonly redis: RedisConnection) {}

  get(key: string): Promise<string | null> {
    return this.run(() => this.redis.get(key));
  }

  async kindOf(key: string): Promise<KeyValueKind> {
    const type = await this.run(() => this.redis.type(key));
    return type === 'none' || type === 'string' || type === 'hash' ? type : 'other';
  }

  hgetall(key: string): Promise<Record<string, string>> {
    return this.run(() => this.redis.hgetall(key));
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    await this.run(() => (ttlSeconds ? this.redis.set(key, value, 'EX', ttlSeconds) : this.redis.set(key, value)));
  }

  hset(key: string, fields: Record<string, string>): Promise<number> {
    return this.run(() => this.redis.hset(key, fields));
  }

  del(key: string): Promise<number> {
    return this.run(() => this.redis.del(key));
  }

  incr(key: string): Promise<number> {
    return this.run(() => this.redis.incr(key));
  }

  ttl(key: string): Promise<number> {
    return this.run(() => this.redis.ttl(key));
  }

  async stats(): Promise<KeyValueStats> {
    const info = await this.run(() => this.redis.info('memory'));
    const used = /used_memory:(\d+)/.exec(info)?.[1];
    return { mode: 'redis', usedMemoryBytes: used === undefined ? null : Number(used) };
  }

  async close(): Promise<void> {
    if (this.redis.status === 'end') return;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      // Redis answering "no" to the command itself (INCR on a word) is a bug to surface, not an outage;
      // a server that is loading, read-only or out of memory is one.
      if (error instanceof ReplyError && !UNAVAILABLE_REPLIES.test((error as Error).message)) throw error;
      throw new KeyValueUnavailable('Redis is unavailable', { store: 'redis' });
    }
  }
}
