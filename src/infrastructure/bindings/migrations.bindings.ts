import type { Clock } from '../../application/ports/clock.port';
import type { DependencyProbe } from '../../application/ports/dependency-probe.port';
import type { Logger } from '../../application/ports/logger.port';
import type { MigrationRunStore } from '../../application/ports/migration-run-store.port';
import type { MigrationSource } from '../../application/ports/migration-source.port';
import type { MigrationStore } from '../../application/ports/migration-store.port';
import { GetMigrationRun } from '../../application/database/migrations/get-migration-run';
import { GetMigrationStatus } from '../../application/database/migrations/get-migration-status';
import { MigrateToLatest } from '../../application/database/migrations/migrate-to-latest';
import { RunMigrations } from '../../application/database/migrations/run-migrations';
import { SchemaRefreshingMigrationStore } from '../../application/database/migrations/schema-refreshing-migration-store';
import type { SchemaCatalog } from '../../application/ports/schema-catalog.port';
import { MigrationsProbe } from '../../application/health/migrations-probe';
import { FileMigrationSource } from '../../adapters/file-system/file-migration-source';
import { migrationsRoutes } from '../../adapters/http/routes/migrations.routes';
import { InProcessBackgroundTasks } from '../../adapters/in-process/in-process-background-tasks';
import type { PgAuditLog } from '../../adapters/postgres/pg-audit-log';
import { PgMigrationRunStore } from '../../adapters/postgres/pg-migration-run-store';
import { PgMigrationSchema } from '../../adapters/postgres/pg-migration-schema';
import { PgMigrationStore } from '../../adapters/postgres/pg-migration-store';
import { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import type { Capability } from '../background-task';
import type { Bind } from '../binder';
import type { Config } from '../config';
import type { Lifecycle } from '../lifecycle';
import { TOKENS } from '../tokens';

/**
 * The migrations vertical: scripts from config.migrations.dir, applied to the service's PostgreSQL
 * (over the pg adapter: the advisory lock needs a dedicated session).
 */
export function bindMigrations(bind: Bind): void {
  // Both stores share one bookkeeping schema, so its tables are created once.
  bind(TOKENS.MigrationSchema, (db: PgSqlDatabase) => new PgMigrationSchema(db), [TOKENS.PgSqlDatabase]);
  bind(TOKENS.MigrationSource, (config: Config): MigrationSource => new FileMigrationSource(config.migrations.dir), [TOKENS.Config]);
  // The migration lock is a session-level advisory lock held across the run's transactions: behind
  // PgBouncer in transaction mode each statement may land on another server connection (the lock
  // would stay behind on one of them), so DATABASE_SESSION_URL, when set, gives it a direct connection.
  bind(
    TOKENS.SessionPgSqlDatabase,
    (config: Config, db: PgSqlDatabase, logger: Logger, lifecycle: Lifecycle): PgSqlDatabase => {
      if (!config.databaseSessionUrl) return db;
      const session = new PgSqlDatabase({ connectionString: config.databaseSessionUrl, ...config.pool, min: 0, max: 2, applicationName: `${config.serviceName}-session` }, logger);
      lifecycle.onClose('postgresql session pool', () => session.close());
      return session;
    },
    [TOKENS.Config, TOKENS.PgSqlDatabase, TOKENS.Logger, TOKENS.Lifecycle],
  );
  bind(
    TOKENS.MigrationStore,
    // Each applied migration's audit entry commits with it (issue 11), startup runs included.
    (db: PgSqlDatabase, schema: PgMigrationSchema, catalog: SchemaCatalog, logger: Logger, config: Config, audit: PgAuditLog): MigrationStore =>
      new SchemaRefreshingMigrationStore(new PgMigrationStore(db, schema, config.audit.enabled ? audit : null), () => catalog, logger),
    [TOKENS.SessionPgSqlDatabase, TOKENS.MigrationSchema, TOKENS.SchemaCatalog, TOKENS.Logger, TOKENS.Config, TOKENS.AuditLog],
  );
  bind(
    TOKENS.MigrationRunStore,
    (db: PgSqlDatabase, schema: PgMigrationSchema): MigrationRunStore => new PgMigrationRunStore(db, schema),
    [TOKENS.PgSqlDatabase, TOKENS.MigrationSchema],
  );
  bind(
    TOKENS.GetMigrationStatus,
    (source: MigrationSource, store: MigrationStore) => new GetMigrationStatus(source, store),
    [TOKENS.MigrationSource, TOKENS.MigrationStore],
  );
  bind(TOKENS.GetMigrationRun, (runs: MigrationRunStore) => new GetMigrationRun(runs), [TOKENS.MigrationRunStore]);
  bind(
    TOKENS.RunMigrations,
    (source: MigrationSource, store: MigrationStore, runs: MigrationRunStore, clock: Clock, logger: Logger, lifecycle: Lifecycle) => {
      const tasks = new InProcessBackgroundTasks(logger);
      // Registered after the pool (resolved above), so it closes first: a run in progress finishes
      // and records its outcome before the pool it uses goes away.
      lifecycle.onClose('migration runs', () => tasks.drain());
      return new RunMigrations(source, store, runs, tasks, clock, logger);
    },
    [TOKENS.MigrationSource, TOKENS.MigrationStore, TOKENS.MigrationRunStore, TOKENS.Clock, TOKENS.Logger, TOKENS.Lifecycle],
  );
  bind(
    TOKENS.MigrateOnStart,
    (source: MigrationSource, store: MigrationStore, runs: MigrationRunStore, clock: Clock, logger: Logger) => new MigrateToLatest(source, store, runs, clock, logger),
    [TOKENS.MigrationSource, TOKENS.MigrationStore, TOKENS.MigrationRunStore, TOKENS.Clock, TOKENS.Logger],
  );
  bind(TOKENS.MigrationsProbe, (status: GetMigrationStatus): DependencyProbe => new MigrationsProbe(status), [TOKENS.GetMigrationStatus]);

  bind(
    TOKENS.MigrationsModule,
    (getStatus: GetMigrationStatus, runMigrations: RunMigrations, getRun: GetMigrationRun): Capability => ({
      mountRoutes(routes) {
        migrationsRoutes(routes, { getStatus, runMigrations, getRun });
      },
      tasks: [],
    }),
    [TOKENS.GetMigrationStatus, TOKENS.RunMigrations, TOKENS.GetMigrationRun],
  );
}
