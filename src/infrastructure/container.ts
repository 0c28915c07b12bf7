import 'reflect-metadata';
import type { Express } from 'express';
import { Container } from 'inversify';
import type { Redis } from 'ioredis';
import type { Store } from 'express-rate-limit';
import type { Logger } from '../application/ports/logger.port';
import type { Clock } from '../application/ports/clock.port';
import type { DependencyProbe } from '../application/ports/dependency-probe.port';
import type { DocumentRenderer } from '../application/ports/document-renderer.port';
import type { KeyValueStore } from '../application/ports/key-value-store.port';
import type { SqlDatabase } from '../application/ports/sql-database.port';
import type { TokenVerifier } from '../application/ports/token-verifier.port';
import { CheckHealth } from '../application/health/check-health';
import { DatabaseProbe } from '../application/health/database-probe';
import { KeyValueProbe } from '../application/health/key-value-probe';
import { createApp } from '../adapters/http/app';
import { authenticate } from '../adapters/http/middleware/auth';
import { rateLimitByCaller } from '../adapters/http/middleware/rate-limit';
import { ApiDocument } from '../adapters/http/openapi/api-document';
import { RouteBuilder } from '../adapters/http/route-builder';
import { openApiRoute, swaggerUiHandlers } from '../adapters/http/routes/docs.routes';
import { healthRoutes } from '../adapters/http/routes/health.routes';
import { metricsRoutes } from '../adapters/http/routes/metrics.routes';
import { InMemoryKeyValueStore } from '../adapters/in-memory/fallbacks/in-memory-key-value-store';
import { JoseTokenVerifier } from '../adapters/jwt/jose-token-verifier';
import { VerifiedTokenCache } from '../adapters/jwt/verified-token-cache';
import { PrometheusMetrics } from '../adapters/metrics/prometheus-metrics';
import { UnpdfDocumentRenderer } from '../adapters/pdf/unpdf-document-renderer';
import { PgSqlDatabase } from '../adapters/postgres/pg-sql-database';
import { PgSchemaCatalog } from '../adapters/postgres/pg-schema-catalog';
import type { SchemaCatalog } from '../application/ports/schema-catalog.port';
import { createRedisClient, waitUntilReady } from '../adapters/redis/redis-client';
import { RedisKeyValueStore } from '../adapters/redis/redis-key-value-store';
import { ResilientRedisRateLimitStore } from '../adapters/redis/resilient-redis-rate-limit-store';
import { bindMigrations, mountMigrationRoutes } from './bindings/migrations.bindings';
import { bindDataReads, mountDataReadRoutes } from './bindings/data-read.bindings';
import { bindLeases, mountLeaseRoutes } from './bindings/leases.bindings';
import { bindDataWrites, mountDataWriteRoutes } from './bindings/data-write.bindings';
import { bindObjectStores, prepareObjectStores } from './bindings/object-store.bindings';
import { bindStorageFiles, mountStorageFileRoutes } from './bindings/storage.bindings';
import { bindTransforms, mountTransformRoutes } from './bindings/transform.bindings';
import { bindStorageDelivery, mountStorageDeliveryRoutes } from './bindings/storage-delivery.bindings';
import { bindTextExtraction } from './bindings/text.bindings';
import { bindMedia } from './bindings/media.bindings';
import { bindCdn, mountCdnRoutes } from './bindings/cdn.bindings';
import type { Config } from './config';
import { Lifecycle } from './lifecycle';
import { createLogger } from './logger';
import { TOKENS } from './tokens';

/** Replacement values by token, e.g. `{ [TOKENS.KeyValueStore]: new InMemoryKeyValueStore() }`. */
export type Overrides = { [token: symbol]: unknown };

/**
 * The composition root: the only place that knows concrete adapters. Configuration picks them
 * (a Redis server or the in-process store; a JWT secret or a JWKS URL); tests swap any of them.
 */
export function buildContainer(config: Config, overrides: Overrides = {}): Container {
  if (!config.databaseUrl) throw new Error('buildContainer needs config.databaseUrl (start the embedded PostgreSQL first)');
  const databaseUrl = config.databaseUrl;
  const container = new Container({ defaultScope: 'Singleton' });
  const bind = <T>(token: symbol, make: () => T) => {
    if (token in overrides) container.bind<T>(token).toConstantValue(overrides[token] as T);
    else container.bind<T>(token).toDynamicValue(make);
  };
  const get = <T>(token: symbol) => container.get<T>(token);
  const lifecycle = new Lifecycle();

  container.bind(TOKENS.Config).toConstantValue(config);
  container.bind(TOKENS.Lifecycle).toConstantValue(lifecycle);
  bind<Logger>(TOKENS.Logger, () => createLogger({ level: config.logLevel, service: config.serviceName }));
  bind<Clock>(TOKENS.Clock, () => ({ now: () => new Date() }));

  bind<SqlDatabase>(TOKENS.SqlDatabase, () => {
    const db = new PgSqlDatabase(
      {
        connectionString: databaseUrl,
        ...config.pool,
        applicationName: config.serviceName,
      },
      get<Logger>(TOKENS.Logger),
    );
    lifecycle.onClose('postgresql pool', () => db.close());
    return db;
  });

  bind<Redis | null>(TOKENS.RedisClient, () => {
    if (!config.redisUrl) return null;
    const client = createRedisClient(
      { url: config.redisUrl, keyPrefix: config.redisKeyPrefix, connectTimeoutMs: config.pool.connectTimeoutMs },
      get<Logger>(TOKENS.Logger),
    );
    lifecycle.onClose('redis', async () => {
      await client.quit().catch(() => client.disconnect());
    });
    return client;
  });

  bind<KeyValueStore>(TOKENS.KeyValueStore, () => {
    const redis = get<Redis | null>(TOKENS.RedisClient);
    const store = redis ? new RedisKeyValueStore(redis) : new InMemoryKeyValueStore(get<Clock>(TOKENS.Clock));
    if (!redis) lifecycle.onClose('in-process key-value store', () => store.close());
    return store;
  });

  bind<TokenVerifier>(TOKENS.TokenVerifier, () => {
    const { jwtSecret, jwksUrl, issuer, audience } = config.auth;
    if (!jwksUrl && !jwtSecret) throw new Error('No JWT_SECRET or JWKS_URL: resolve the development secret before building the container');
    const keys = jwksUrl ? { kind: 'jwks' as const, url: jwksUrl } : { kind: 'secret' as const, secret: jwtSecret! };
    return new VerifiedTokenCache(new JoseTokenVerifier({ keys, issuer, audience }));
  });

  bind<PrometheusMetrics>(TOKENS.Metrics, () => new PrometheusMetrics(config.serviceName, get<SqlDatabase>(TOKENS.SqlDatabase)));
  bind<ApiDocument>(TOKENS.ApiDocument, () =>
    new ApiDocument({
      title: 'Visiobook data platform',
      version: config.version,
      description: 'PostgreSQL/Redis gateway and file storage for the Visiobook ecosystem. JSON is snake_case.',
    }),
  );

  bindMigrations(container, bind, get);
  bindDataReads(container, bind, get);
  bindLeases(container, bind, get);
  bindDataWrites(container, bind, get);
  bindObjectStores(container, bind, get);
  bindStorageFiles(container, bind, get);
  bindStorageDelivery(container, bind, get);
  bindTextExtraction(bind, get);
  bind<DocumentRenderer>(TOKENS.DocumentRenderer, () => new UnpdfDocumentRenderer());
  bindTransforms(container, bind, get);
  bindMedia(container, bind);
  bindCdn(container, bind, get);
  bind<SchemaCatalog>(TOKENS.SchemaCatalog, () => new PgSchemaCatalog(get<SqlDatabase>(TOKENS.SqlDatabase) as PgSqlDatabase));

  bind<DependencyProbe[]>(TOKENS.HealthProbes, () => [
    new DatabaseProbe(get<SqlDatabase>(TOKENS.SqlDatabase)),
    new KeyValueProbe(get<KeyValueStore>(TOKENS.KeyValueStore)),
    get<DependencyProbe>(TOKENS.MigrationsProbe),
    ...get<DependencyProbe[]>(TOKENS.StorageProbes),
    get<DependencyProbe>(TOKENS.CdnProbe),
  ]);
  bind<CheckHealth>(TOKENS.CheckHealth, () => new CheckHealth(get<DependencyProbe[]>(TOKENS.HealthProbes), config.healthCheckTimeoutMs));

  bind<Store | undefined>(TOKENS.RateLimitStore, () => {
    const redis = get<Redis | null>(TOKENS.RedisClient);
    if (!redis) return undefined;
    return new ResilientRedisRateLimitStore(redis, 'ratelimit:');
  });

  bind<Express>(TOKENS.HttpApp, () => {
    const doc = get<ApiDocument>(TOKENS.ApiDocument);
    const metrics = get<PrometheusMetrics>(TOKENS.Metrics);
    const routes = new RouteBuilder(doc, {
      authenticate: authenticate(get<TokenVerifier>(TOKENS.TokenVerifier)),
      rateLimit: rateLimitByCaller(config.rateLimit, get<Store | undefined>(TOKENS.RateLimitStore), get<Logger>(TOKENS.Logger)),
    });
    healthRoutes(routes, { checkHealth: get<CheckHealth>(TOKENS.CheckHealth), service: config.serviceName, version: config.version });
    metricsRoutes(routes, metrics);
    mountMigrationRoutes(routes, get);
    mountDataReadRoutes(routes, get);
    mountLeaseRoutes(routes, get);
    mountDataWriteRoutes(routes, get);
    mountStorageFileRoutes(routes, get);
    mountStorageDeliveryRoutes(routes, get);
    mountTransformRoutes(routes, get);
    mountCdnRoutes(routes, get);
    openApiRoute(routes, doc);
    return createApp({
      serviceName: config.serviceName,
      bodyLimitBytes: config.http.bodyLimitBytes,
      logger: get<Logger>(TOKENS.Logger),
      observer: metrics,
      routes,
      corsOrigins: config.http.corsOrigins,
      extra: [{ path: '/docs', handlers: swaggerUiHandlers() }],
    });
  });

  return container;
}

/**
 * Gives Redis a moment to connect before the app is built (the rate limiter loads its scripts at
 * once). A Redis that does not answer in time is not fatal: the service starts DEGRADED.
 */
export async function warmUp(container: Container): Promise<void> {
  await prepareObjectStores((token) => container.get(token));
  const redis = container.get<Redis | null>(TOKENS.RedisClient);
  if (!redis) return;
  const config = container.get<Config>(TOKENS.Config);
  if (!(await waitUntilReady(redis, config.pool.connectTimeoutMs))) {
    container.get<Logger>(TOKENS.Logger).warn({}, 'Redis not reachable at start; starting degraded');
  }
}

export type Bind = <T>(token: symbol, make: () => T) => void;
export type Get = <T>(token: symbol) => T;
