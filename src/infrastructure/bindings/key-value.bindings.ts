import type { Redis } from 'ioredis';
import type { Store } from 'express-rate-limit';
import type { Clock } from '../../application/ports/clock.port';
import type { KeyValueStore } from '../../application/ports/key-value-store.port';
import type { Logger } from '../../application/ports/logger.port';
import { InMemoryKeyValueStore } from '../../adapters/in-memory/fallbacks/in-memory-key-value-store';
import { createRedisClient } from '../../adapters/redis/redis-client';
import { RedisKeyValueStore } from '../../adapters/redis/redis-key-value-store';
import { ResilientRedisRateLimitStore } from '../../adapters/redis/resilient-redis-rate-limit-store';
import { InMemoryUploadSlots } from '../../adapters/in-memory/fallbacks/in-memory-upload-slots';
import { RedisUploadSlots } from '../../adapters/redis/redis-upload-slots';
import type { UploadSlots } from '../../application/ports/upload-slots.port';
import type { Bind } from '../binder';
import type { Config } from '../config';
import type { Lifecycle } from '../lifecycle';
import { TOKENS } from '../tokens';

/** Redis when REDIS_URL is set, else the in-process store: every key-value port follows this one choice. */
export type KeyValueBackend = { kind: 'redis'; client: Redis } | { kind: 'in_process'; store: InMemoryKeyValueStore };

export function bindKeyValue(bind: Bind): void {
  bind(
    TOKENS.RedisClient,
    (config: Config, logger: Logger, lifecycle: Lifecycle): Redis | null => {
      if (!config.redisUrl) return null;
      const client = createRedisClient({ url: config.redisUrl, keyPrefix: config.redisKeyPrefix, connectTimeoutMs: config.pool.connectTimeoutMs }, logger);
      lifecycle.onClose('redis', async () => {
        await client.quit().catch(() => client.disconnect());
      });
      return client;
    },
    [TOKENS.Config, TOKENS.Logger, TOKENS.Lifecycle],
  );
  bind(
    TOKENS.KeyValueBackend,
    (redis: Redis | null, clock: Clock, lifecycle: Lifecycle): KeyValueBackend => {
      if (redis) return { kind: 'redis', client: redis };
      const store = new InMemoryKeyValueStore(clock);
      lifecycle.onClose('in-process key-value store', () => store.close());
      return { kind: 'in_process', store };
    },
    [TOKENS.RedisClient, TOKENS.Clock, TOKENS.Lifecycle],
  );
  bind(
    TOKENS.KeyValueStore,
    (backend: KeyValueBackend): KeyValueStore => (backend.kind === 'redis' ? new RedisKeyValueStore(backend.client) : backend.store),
    [TOKENS.KeyValueBackend],
  );
  // Without Redis the limiter counts in memory (express-rate-limit's own store).
  bind(
    TOKENS.RateLimitStore,
    (backend: KeyValueBackend): Store | undefined => (backend.kind === 'redis' ? new ResilientRedisRateLimitStore(backend.client, 'ratelimit:') : undefined),
    [TOKENS.KeyValueBackend],
  );
  // Uploads in flight per caller (MAX_CONCURRENT_UPLOADS): one count across instances with Redis.
  bind(
    TOKENS.UploadSlots,
    (backend: KeyValueBackend, lifecycle: Lifecycle): UploadSlots => {
      const slots = backend.kind === 'redis' ? new RedisUploadSlots(backend.client) : new InMemoryUploadSlots();
      lifecycle.onClose('upload slots', () => slots.close());
      return slots;
    },
    [TOKENS.KeyValueBackend, TOKENS.Lifecycle],
  );
}
