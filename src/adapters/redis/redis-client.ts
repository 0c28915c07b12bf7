import { Redis } from 'ioredis';
import type { Logger } from '../../application/ports/logger.port';

export interface RedisClientOptions {
  url: string;
  keyPrefix: string;
  connectTimeoutMs: number;
}

/**
 * One ioredis connection shared by the key-value store and the rate limiter. No offline queue and a
 * single retry per command: while Redis is down, calls fail fast and the service degrades; the client
 * keeps reconnecting in the background (capped backoff) and recovers on its own.
 */
export function createRedisClient(options: RedisClientOptions, logger: Logger): Redis {
  const client = new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: options.connectTimeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    lazyConnect: false,
  });
  let reported = false;
  client.on('error', (error: Error & { code?: string }) => {
    // Reconnect attempts repeat the same error; report the outage once, not every 2 seconds.
    if (reported) return;
    reported = true;
    logger.warn({ err: { message: error.message, code: error.code } }, 'Redis connection failed; serving without it until it returns');
  });
  client.on('ready', () => {
    if (reported) logger.info({}, 'Redis connection restored');
    reported = false;
  });
  return client;
}

/** Resolves once the client is ready, or after `timeoutMs` (the service starts degraded). */
export function waitUntilReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    client.once('ready', onReady);
  });
}
