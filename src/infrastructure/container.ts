import 'reflect-metadata';
import type { Express } from 'express';
import { Container } from 'inversify';
import type { RateLimitCounter } from '../application/ports/rate-limit-counter.port';
import type { Logger } from '../application/ports/logger.port';
import type { Clock } from '../application/ports/clock.port';
import type { DependencyProbe } from '../application/ports/dependency-probe.port';
import type { DocumentRenderer } from '../application/ports/document-renderer.port';
import type { KeyValueStore } from '../application/ports/key-value-store.port';
import type { SqlDatabase } from '../application/ports/sql-database.port';
import type { TokenVerifier } from '../application/ports/token-verifier.port';
import { CheckHealth, rememberUpToDate } from '../application/health/check-health';
import type { GetMigrationStatus } from '../application/database/migrations/get-migration-status';
import { DatabaseProbe } from '../application/health/database-probe';
import { KeyValueProbe } from '../application/health/key-value-probe';
import { createApp } from '../adapters/http/app';
import { authenticate } from '../adapters/http/middleware/auth';
import { refuseWritesDuringMaintenance } from '../adapters/http/middleware/maintenance';
import type { MaintenanceGate } from '../application/database/restores/maintenance-gate';
import { rateLimitByCaller } from '../adapters/http/middleware/rate-limit';
import { limitUploadsInFlight } from '../adapters/http/middleware/upload-slot';
import type { UploadSlots } from '../application/ports/upload-slots.port';
import { ApiDocument } from '../adapters/http/openapi/api-document';
import { RouteBuilder } from '../adapters/http/route-builder';
import { openApiRoute, swaggerUiHandlers } from '../adapters/http/routes/docs.routes';
import { healthRoutes } from '../adapters/http/routes/health.routes';
import { metricsRoutes, type MetricsSource } from '../adapters/http/routes/metrics.routes';
import { JoseTokenVerifier } from '../adapters/jwt/jose-token-verifier';
import { VerifiedTokenCache } from '../adapters/jwt/verified-token-cache';
import { PrometheusMetrics } from '../adapters/metrics/prometheus-metrics';
import { UnpdfDocumentRenderer } from '../adapters/pdf/unpdf-document-renderer';
import { PgSqlDatabase } from '../adapters/postgres/pg-sql-database';
import { PgExclusiveLocks } from '../adapters/postgres/pg-exclusive-locks';
import type { ExclusiveLocks } from '../application/ports/exclusive-locks.port';
import { ExclusiveTask } from './exclusive-task';
import { waitUntilReady, type RedisConnection } from '../adapters/redis/redis-client';
import { PgSchemaCatalog } from '../adapters/postgres/pg-schema-catalog';
import type { SchemaCatalog } from '../application/ports/schema-catalog.port';
import { bindMigrations } from './bindings/migrations.bindings';
import { bindDataReads } from './bindings/data-read.bindings';
import { bindLeases } from './bindings/leases.bindings';
import { bindInstances } from './bindings/instances.bindings';
import type { LeaseForwarder } from '../adapters/http/internal/lease-forwarder';
import type { InternalListener } from '../adapters/http/internal/internal-listener';
import { bindDataWrites } from './bindings/data-write.bindings';
import { bindKeyValue } from './bindings/key-value.bindings';
import { bindObjectStores, prepareObjectStores } from './bindings/object-store.bindings';
import { bindStorageFiles } from './bindings/storage.bindings';
import { bindTransforms } from './bindings/transform.bindings';
import { bindStorageDelivery } from './bindings/storage-delivery.bindings';
import { bindTextExtraction } from './bindings/text.bindings';
import { bindMedia } from './bindings/media.bindings';
import { bindCdn } from './bindings/cdn.bindings';
import { bindRender } from './bindings/render.bindings';
import { bindBackups } from './bindings/backups.bindings';
import { bindRestores } from './bindings/restores.bindings';
import { bindDbOps } from './bindings/db-ops.bindings';
import { bindRestrictedSql } from './bindings/restricted-sql.bindings';
import { bindAudit } from './bindings/audit.bindings';
import { bindConsole } from './bindings/console.bindings';
import { consoleHandlers } from '../adapters/http/console-static';
import { findProjectRoot } from './paths';
import path from 'node:path';
import { bindFileEncryption } from './bindings/file-encryption.bindings';
import { bindOrphanSweep } from './bindings/orphan-sweep.bindings';
import type { RouteAuditor } from '../adapters/http/route-audit';
import { bindColumnEncryption, catalogWithEncryption } from './bindings/column-encryption.bindings';
import type { ServiceQueryTimings } from '../adapters/in-process/service-query-timings';
import type { Capability } from './background-task';
import { BackgroundTasks } from './background-tasks';
import { binder, type Overrides } from './binder';
import type { Config } from './config';
import { Lifecycle } from './lifecycle';
import { createLogger } from './logger';
import { TOKENS } from './tokens';

export type { Overrides } from './binder';

/** The capability modules, in the order their routes are mounted and their background tasks start. */
const MODULES = [
  // First to start, last to stop: forwarded lease requests are served until the very end.
  TOKENS.InstancesModule,
  TOKENS.MigrationsModule,
  TOKENS.DataReadsModule,
  TOKENS.LeasesModule,
  TOKENS.DataWritesModule,
  TOKENS.StorageFilesModule,
  TOKENS.StorageDeliveryModule,
  TOKENS.TransformsModule,
  TOKENS.CdnModule,
  TOKENS.RenderModule,
  TOKENS.BackupsModule,
  TOKENS.RestoresModule,
  TOKENS.DbOpsModule,
  TOKENS.RestrictedSqlModule,
  TOKENS.AuditModule,
  TOKENS.ColumnEncryptionModule,
  TOKENS.FileEncryptionModule,
  TOKENS.ConsoleModule,
  TOKENS.OrphanSweepModule,
];

/**
 * The composition root: the only place that knows concrete adapters. Configuration picks them
 * (a Redis server or the in-process store; a JWT secret or a JWKS URL); tests swap any of them.
 * Building the container (or the app) starts nothing: the background tasks are started by whoever
 * runs the service, from `container.get(TOKENS.BackgroundTasks)`.
 */
export function buildContainer(config: Config, overrides: Overrides = {}): Container {
  if (!config.databaseUrl) throw new Error('buildContainer needs config.databaseUrl (start the embedded PostgreSQL first)');
  const databaseUrl = config.databaseUrl;
  const container = new Container({ defaultScope: 'Singleton' });
  const bind = binder(container, withSharedRoles(overrides));

  container.bind(TOKENS.Config).toConstantValue(config);
  container.bind(TOKENS.Lifecycle).toConstantValue(new Lifecycle());
  bind(TOKENS.Logger, (): Logger => createLogger({ level: config.logLevel, service: config.serviceName }), []);
  bind(TOKENS.Clock, (): Clock => ({ now: () => new Date() }), []);

  bind(
    TOKENS.PgSqlDatabase,
    (logger: Logger, lifecycle: Lifecycle, timings: ServiceQueryTimings) => {
      const db = new PgSqlDatabase({ connectionString: databaseUrl, ...config.pool, applicationName: config.serviceName }, logger, timings);
      lifecycle.onClose('postgresql pool', () => db.close());
      return db;
    },
    [TOKENS.Logger, TOKENS.Lifecycle, TOKENS.ServiceQueryTimings],
  );
  bind(TOKENS.SqlDatabase, (db: PgSqlDatabase): SqlDatabase => db, [TOKENS.PgSqlDatabase]);
  bindKeyValue(bind);

  bind(
    TOKENS.TokenVerifier,
    (): TokenVerifier => {
      const { jwtSecret, jwksUrl, issuer, audience } = config.auth;
      if (jwksUrl) return new VerifiedTokenCache(new JoseTokenVerifier({ keys: { kind: 'jwks', url: jwksUrl }, issuer, audience }));
      if (jwtSecret) return new VerifiedTokenCache(new JoseTokenVerifier({ keys: { kind: 'secret', secret: jwtSecret }, issuer, audience }));
      throw new Error('No JWT_SECRET or JWKS_URL: resolve the development secret before building the container');
    },
    [],
  );
  bind(TOKENS.Metrics, (db: SqlDatabase) => new PrometheusMetrics(config.serviceName, db, { worker: config.cluster.worker }), [TOKENS.SqlDatabase]);
  bind(TOKENS.MetricsSource, (metrics: PrometheusMetrics): MetricsSource => metrics, [TOKENS.Metrics]);
  bind(
    TOKENS.ApiDocument,
    () =>
      new ApiDocument({
        title: 'Visiobook data platform',
        version: config.version,
        description: 'PostgreSQL/Redis gateway and file storage for the Visiobook ecosystem. JSON is snake_case.',
      }),
    [],
  );
  bind(TOKENS.SchemaCatalog, (db: PgSqlDatabase): SchemaCatalog => catalogWithEncryption(new PgSchemaCatalog(db), config.columnEncryption), [TOKENS.PgSqlDatabase]);
  bindColumnEncryption(bind);

  bindMigrations(bind);
  bindDataReads(bind);
  bindLeases(bind);
  bindInstances(bind);
  bindDataWrites(bind);
  bindObjectStores(bind);
  bindStorageFiles(bind);
  bindStorageDelivery(bind);
  bindTextExtraction(bind);
  bind(TOKENS.DocumentRenderer, (): DocumentRenderer => new UnpdfDocumentRenderer(), []);
  bindMedia(bind);
  bindTransforms(bind);
  bindCdn(bind);
  bindRender(bind);
  bindBackups(bind);
  bindRestores(bind);
  bindDbOps(bind);
  bindRestrictedSql(bind);
  bindAudit(bind);
  bindConsole(bind);
  bindFileEncryption(bind);
  bindOrphanSweep(bind);

  bind(
    TOKENS.HealthProbes,
    (db: SqlDatabase, keyValue: KeyValueStore, migrations: DependencyProbe, storage: DependencyProbe[], cdn: DependencyProbe, backups: DependencyProbe, encryption: DependencyProbe): DependencyProbe[] => [
      new DatabaseProbe(db),
      new KeyValueProbe(keyValue),
      migrations,
      ...storage,
      cdn,
      backups,
      encryption,
    ],
    [TOKENS.SqlDatabase, TOKENS.KeyValueStore, TOKENS.MigrationsProbe, TOKENS.StorageProbes, TOKENS.CdnProbe, TOKENS.BackupsProbe, TOKENS.EncryptionProbe],
  );
  bind(
    TOKENS.CheckHealth,
    (probes: DependencyProbe[], migrationStatus: GetMigrationStatus, lifecycle: Lifecycle) =>
      new CheckHealth(probes, config.healthCheckTimeoutMs, {
        pendingMigrations: rememberUpToDate(10_000, async () => (await migrationStatus.execute()).pending.length),
        shuttingDown: () => lifecycle.shuttingDown,
      }),
    [TOKENS.HealthProbes, TOKENS.GetMigrationStatus, TOKENS.Lifecycle],
  );

  bind(
    TOKENS.ExclusiveLocks,
    (logger: Logger, lifecycle: Lifecycle): ExclusiveLocks => {
      // Session-level advisory locks: through DATABASE_SESSION_URL when PgBouncer pools DATABASE_URL by transaction.
      const locks = new PgExclusiveLocks({ connectionString: config.databaseSessionUrl ?? databaseUrl, applicationName: config.serviceName, connectTimeoutMs: config.pool.connectTimeoutMs }, logger);
      lifecycle.onClose('task locks', () => locks.close());
      return locks;
    },
    [TOKENS.Logger, TOKENS.Lifecycle],
  );
  bind(
    TOKENS.BackgroundTasks,
    // Tasks marked exclusive run in one process at a time across every process and instance.
    (logger: Logger, locks: ExclusiveLocks, ...modules: Capability[]) =>
      new BackgroundTasks(
        modules.flatMap((module) => module.tasks).map((task) => (task.exclusive ? new ExclusiveTask(task, locks, logger) : task)),
        logger,
      ),
    [TOKENS.Logger, TOKENS.ExclusiveLocks, ...MODULES],
  );

  bind(
    TOKENS.HttpApp,
    (doc: ApiDocument, metrics: PrometheusMetrics, verifier: TokenVerifier, rateLimitStore: RateLimitCounter, logger: Logger, checkHealth: CheckHealth, tasks: BackgroundTasks, uploadSlots: UploadSlots, auditor: RouteAuditor, maintenance: MaintenanceGate, forwarder: LeaseForwarder, internalListener: InternalListener, metricsSource: MetricsSource, ...modules: Capability[]): Express => {
      const routes = new RouteBuilder(doc, {
        authenticate: authenticate(verifier),
        rateLimit: rateLimitByCaller(config.rateLimit, rateLimitStore, logger),
        uploadSlot: limitUploadsInFlight(uploadSlots, config.uploads.maxConcurrentPerCaller, logger),
        audit: auditor,
        refuseWrites: refuseWritesDuringMaintenance(maintenance),
        forwardLease: (leaseIdOf) => forwarder.guard(leaseIdOf),
      });
      healthRoutes(routes, { checkHealth, service: config.serviceName, version: config.version, backgroundTasks: () => tasks.status() });
      metricsRoutes(routes, metricsSource);
      for (const module of modules) module.mountRoutes(routes);
      openApiRoute(routes, doc);
      const app = createApp({
        serviceName: config.serviceName,
        bodyLimitBytes: config.http.bodyLimitBytes,
        bodyIdleTimeoutMs: config.http.bodyIdleTimeoutMs,
        logger,
        observer: metrics,
        routes,
        corsOrigins: config.http.corsOrigins,
        extra: [
          { path: '/docs', handlers: swaggerUiHandlers() },
          { path: '/console', handlers: consoleHandlers(path.join(findProjectRoot(__dirname), 'dist', 'console')) },
        ],
      });
      internalListener.serve(app);
      return app;
    },
    [TOKENS.ApiDocument, TOKENS.Metrics, TOKENS.TokenVerifier, TOKENS.RateLimitStore, TOKENS.Logger, TOKENS.CheckHealth, TOKENS.BackgroundTasks, TOKENS.UploadSlots, TOKENS.RouteAuditor, TOKENS.MaintenanceGate, TOKENS.LeaseForwarder, TOKENS.InternalListener, TOKENS.MetricsSource, ...MODULES],
  );

  return container;
}

/**
 * The real primary store is also the upload staging port (one adapter, bound once): a test that swaps
 * the ObjectStore swaps the staging with it (every store, fakes included, stages uploads), or
 * resumable uploads would complete into a store nothing reads.
 */
function withSharedRoles(overrides: Overrides): Overrides {
  if (!(TOKENS.ObjectStore in overrides) || TOKENS.UploadStaging in overrides) return overrides;
  return { ...overrides, [TOKENS.UploadStaging]: overrides[TOKENS.ObjectStore] };
}

/**
 * Gives Redis a moment to connect before the app is built (the rate limiter loads its scripts at
 * once). A Redis that does not answer in time is not fatal: the service starts DEGRADED.
 */
export async function warmUp(container: Container): Promise<void> {
  await prepareObjectStores(container);
  const redis = container.get<RedisConnection | null>(TOKENS.RedisClient);
  if (!redis) return;
  const config = container.get<Config>(TOKENS.Config);
  if (!(await waitUntilReady(redis, config.pool.connectTimeoutMs))) {
    container.get<Logger>(TOKENS.Logger).warn({}, 'Redis not reachable at start; starting degraded');
  }
}
