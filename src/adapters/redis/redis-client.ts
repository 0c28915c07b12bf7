import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../../application/ports/logger.port';
import type { RedisTopology } from './redis-topology';

/** What every Redis adapter takes: one server or a sentinel-watched primary (Redis), or a Cluster. */
export type RedisConnection = Redis | Cluster;

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
  const client = new Redis(options.url, commonOptions(options));
  reportOutages(client, logger);
  return client;
}

function commonOptions(options: { keyPrefix: string; connectTimeoutMs: number }) {
  return {
    keyPrefix: options.keyPrefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: options.connectTimeoutMs,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
    lazyConnect: false,
  } satisfies RedisOptions;
}

/**
 * The client for REDIS_URL's topology, with the same fail-fast behaviour in each. Sentinel: ioredis
 * asks the sentinels for the primary, and asks again after a failover (a READONLY reply from a demoted
 * primary makes it reconnect). Cluster: ioredis follows MOVED/ASK and refreshes the slot map itself.
 */
export function createRedisConnection(topology: RedisTopology, options: { keyPrefix: string; connectTimeoutMs: number }, logger: Logger): RedisConnection {
  if (topology.mode === 'standalone') return createRedisClient({ url: topology.url, ...options }, logger);
  const common = commonOptions(options);
  const credentials = { username: topology.username, password: topology.password, ...(topology.tls ? { tls: {} } : {}) };
  if (topology.mode === 'sentinel') {
    const client = new Redis({
      ...common,
      ...credentials,
      sentinels: topology.sentinels,
      name: topology.masterName,
      db: topology.db,
      sentinelUsername: topology.sentinelUsername,
      sentinelPassword: topology.sentinelPassword,
      enableTLSForSentinelMode: topology.tls,
      sentinelRetryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
      // No failoverDetector: ioredis 5.11 leaves its sentinel subscriptions open after quit(); a demoted
      // primary's READONLY (below) or a dropped connection sends the client back to the sentinels anyway.
      // A demoted primary answers writes with READONLY: reconnect, and the sentinels name the new one.
      reconnectOnError: (error: Error) => (error.message.startsWith('READONLY') ? 2 : false),
    });
    reportOutages(client, logger);
    return client;
  }
  const { keyPrefix, enableOfflineQueue, retryStrategy, ...perNode } = common;
  const cluster = new Cluster(topology.nodes, {
    keyPrefix,
    enableOfflineQueue,
    clusterRetryStrategy: retryStrategy,
    redisOptions: { ...perNode, ...credentials },
  });
  reportOutages(cluster, logger);
  return cluster;
}

function reportOutages(client: RedisConnection, logger: Logger): void {
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
}

/** Resolves once the client is ready, or after `timeoutMs` (the service starts degraded). */
export function waitUntilReady(client: RedisConnection, timeoutMs: number): Promise<boolean> {
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
