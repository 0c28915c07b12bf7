import type { Clock } from '../../application/ports/clock.port';
import type { KeyValueStore } from '../../application/ports/key-value-store.port';
import type { Logger } from '../../application/ports/logger.port';
import { InMemoryKeyValueStore } from '../../adapters/in-memory/fallbacks/in-memory-key-value-store';
import { createRedisConnection, type RedisConnection } from '../../adapters/redis/redis-client';
import { RedisKeyValueStore } from '../../adapters/redis/redis-key-value-store';
import { RedisRateLimitCounter } from '../../adapters/redis/redis-rate-limit-counter';
import { InMemoryRateLimitCounter } from '../../adapters/in-memory/fallbacks/in-memory-rate-limit-counter';
import type { RateLimitCounter } from '../../application/ports/rate-limit-counter.port';
import { InMemoryUploadSlots } from '../../adapters/in-memory/fallbacks/in-memory-upload-slots';
import { RedisUploadSlots } from '../../adapters/redis/redis-upload-slots';
import type { UploadSlots } from '../../application/ports/upload-slots.port';
import type { Bind } from '../binder';
import type { Config } from '../config';
import type { Lifecycle } from '../lifecycle';
import { TOKENS } from '../tokens';

/** Redis when REDIS_URL is set, else the in-process store: every key-value port follows this one choice. */
export type KeyValueBackend = { kind: 'redis'; client: RedisConnection } | { kind: 'in_process'; store: InMemoryKeyValueStore };

export function bindKeyValue(bind: Bind): void {
  bind(
    TOKENS.RedisClient,
    (config: Config, logger: Logger, lifecycle: Lifecycle): RedisConnection | null => {
      if (!config.redisUrl) return null;
      // One server, a sentinel-watched primary or a Cluster, as REDIS_URL's scheme says (redis-config.ts).
      const topology = config.redisTopology ?? { mode: 'standalone', url: config.redisUrl };
      const client = createRedisConnection(topology, { keyPrefix: config.redisKeyPrefix, connectTimeoutMs: config.pool.connectTimeoutMs }, logger);
      lifecycle.onClose('redis', async () => {
        await client.quit().catch(() => client.disconnect());
      });
      return client;
    },
    [TOKENS.Config, TOKENS.Logger, TOKENS.Lifecycle],
  );
  bind(
    TOKENS.KeyValueBackend,
    (redis: RedisConnection | null, clock: Clock, lifecycle: Lifecycle): KeyValueBackend => {
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
  // The limiter's shared window counters; without Redis, this process's own.
  bind(
    TOKENS.RateLimitStore,
    (backend: KeyValueBackend): RateLimitCounter => (backend.kind === 'redis' ? new RedisRateLimitCounter(backend.client, 'ratelimit:') : new InMemoryRateLimitCounter()),
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
