import type { Container } from 'inversify';
import type { Clock } from '../../application/ports/clock.port';
import type { DependencyProbe } from '../../application/ports/dependency-probe.port';
import type { Logger } from '../../application/ports/logger.port';
import type { MigrationRunStore } from '../../application/ports/migration-run-store.port';
import type { MigrationSource } from '../../application/ports/migration-source.port';
import type { MigrationStore } from '../../application/ports/migration-store.port';
import type { SqlDatabase } from '../../application/ports/sql-database.port';
import { GetMigrationRun } from '../../application/database/migrations/get-migration-run';
import { GetMigrationStatus } from '../../application/database/migrations/get-migration-status';
import { MigrateToLatest } from '../../application/database/migrations/migrate-to-latest';
import { RunMigrations } from '../../application/database/migrations/run-migrations';
import { SchemaRefreshingMigrationStore } from '../../application/database/migrations/schema-refreshing-migration-store';
import type { SchemaCatalog } from '../../application/ports/schema-catalog.port';
import { MigrationsProbe } from '../../application/health/migrations-probe';
import { FileMigrationSource } from '../../adapters/file-system/file-migration-source';
import type { RouteBuilder } from '../../adapters/http/route-builder';
import { migrationsRoutes } from '../../adapters/http/routes/migrations.routes';
import { InProcessBackgroundTasks } from '../../adapters/in-process/in-process-background-tasks';
import { PgMigrationRunStore } from '../../adapters/postgres/pg-migration-run-store';
import { PgMigrationSchema } from '../../adapters/postgres/pg-migration-schema';
import { PgMigrationStore } from '../../adapters/postgres/pg-migration-store';
import { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import type { Config } from '../config';
import type { Bind, Get } from '../container';
import type { Lifecycle } from '../lifecycle';
import { TOKENS } from '../tokens';

/** The migrations vertical: scripts from config.migrations.dir, applied to the service's PostgreSQL. */
export function bindMigrations(_container: Container, bind: Bind, get: Get): void {
  const config = () => get<Config>(TOKENS.Config);
  const logger = () => get<Logger>(TOKENS.Logger);
  const clock = () => get<Clock>(TOKENS.Clock);
  let schema: PgMigrationSchema | undefined;
  // Both stores share one bookkeeping schema, so its tables are created once.
  const bookkeeping = () => (schema ??= new PgMigrationSchema(pgDatabase(get)));

  bind<MigrationSource>(TOKENS.MigrationSource, () => new FileMigrationSource(config().migrations.dir));
  bind<MigrationStore>(TOKENS.MigrationStore, () =>
    new SchemaRefreshingMigrationStore(new PgMigrationStore(pgDatabase(get), bookkeeping()), () => get<SchemaCatalog>(TOKENS.SchemaCatalog), logger()),
  );
  bind<MigrationRunStore>(TOKENS.MigrationRunStore, () => new PgMigrationRunStore(pgDatabase(get), bookkeeping()));

  bind<GetMigrationStatus>(TOKENS.GetMigrationStatus, () =>
    new GetMigrationStatus(get<MigrationSource>(TOKENS.MigrationSource), get<MigrationStore>(TOKENS.MigrationStore)),
  );
  bind<GetMigrationRun>(TOKENS.GetMigrationRun, () => new GetMigrationRun(get<MigrationRunStore>(TOKENS.MigrationRunStore)));
  bind<RunMigrations>(TOKENS.RunMigrations, () => {
    const tasks = new InProcessBackgroundTasks(logger());
    const useCase = new RunMigrations(
      get<MigrationSource>(TOKENS.MigrationSource),
      get<MigrationStore>(TOKENS.MigrationStore),
      get<MigrationRunStore>(TOKENS.MigrationRunStore),
      tasks,
      clock(),
      logger(),
    );
    // Registered after the pool (resolved above), so it closes first: a run in progress finishes
    // and records its outcome before the pool it uses goes away.
    get<Lifecycle>(TOKENS.Lifecycle).onClose('migration runs', () => tasks.drain());
    return useCase;
  });
  bind<MigrateToLatest>(TOKENS.MigrateOnStart, () =>
    new MigrateToLatest(
      get<MigrationSource>(TOKENS.MigrationSource),
      get<MigrationStore>(TOKENS.MigrationStore),
      get<MigrationRunStore>(TOKENS.MigrationRunStore),
      clock(),
      logger(),
    ),
  );
  bind<DependencyProbe>(TOKENS.MigrationsProbe, () => new MigrationsProbe(get<GetMigrationStatus>(TOKENS.GetMigrationStatus)));
}

export function mountMigrationRoutes(routes: RouteBuilder, get: Get): void {
  migrationsRoutes(routes, {
    getStatus: get<GetMigrationStatus>(TOKENS.GetMigrationStatus),
    runMigrations: get<RunMigrations>(TOKENS.RunMigrations),
    getRun: get<GetMigrationRun>(TOKENS.GetMigrationRun),
  });
}

/** Migrations need a dedicated session for the advisory lock, which only the pg adapter offers. */
function pgDatabase(get: Get): PgSqlDatabase {
  const db = get<SqlDatabase>(TOKENS.SqlDatabase);
  if (!(db instanceof PgSqlDatabase)) throw new Error('Migrations need the PostgreSQL adapter (PgSqlDatabase) bound to SqlDatabase');
  return db;
}
