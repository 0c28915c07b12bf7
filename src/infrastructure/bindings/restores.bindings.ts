import type { BackupRepository } from '../../application/ports/backup-repository.port';
import type { Clock } from '../../application/ports/clock.port';
import type { DatabaseRestorer } from '../../application/ports/database-restorer.port';
import type { Logger } from '../../application/ports/logger.port';
import type { ObjectStore } from '../../application/ports/object-store.port';
import type { RestoreRepository } from '../../application/ports/restore-repository.port';
import type { OpenBackupArchive } from '../../application/database/backups/open-backup-archive';
import type { CacheInvalidator } from '../../application/ports/cache-invalidator.port';
import type { MigrationSource } from '../../application/ports/migration-source.port';
import type { MigrationStore } from '../../application/ports/migration-store.port';
import type { RetainedObjects } from '../../application/ports/retained-objects.port';
import type { SchemaCatalog } from '../../application/ports/schema-catalog.port';
import type { RunBackup } from '../../application/database/backups/run-backup';
import type { StartBackup } from '../../application/database/backups/start-backup';
import { GetRestore } from '../../application/database/restores/get-restore';
import { MaintenanceGate } from '../../application/database/restores/maintenance-gate';
import { RestoreInPlace } from '../../application/database/restores/restore-in-place';
import { StartRestore } from '../../application/database/restores/start-restore';
import { dbRestoresRoutes } from '../../adapters/http/routes/db-restores.routes';
import { PgRestoreDatabaseRestorer } from '../../adapters/postgres/pg-restore-database-restorer';
import { PgRestoreRepository } from '../../adapters/postgres/pg-restore-repository';
import type { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import type { Capability } from '../background-task';
import type { Bind } from '../binder';
import type { Config } from '../config';
import { TOKENS } from '../tokens';

/** How long an instance reuses its answer to "is a restore running?" before asking PostgreSQL again. */
const MAINTENANCE_CACHE_MS = 1_000;
const MAINTENANCE_RETRY_AFTER_SECONDS = 5;

/** The database the service's URL names (what an in-place restore replaces). */
function liveDatabaseName(databaseUrl: string | undefined): string {
  if (!databaseUrl) return '';
  return decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
}

/**
 * Restores of a backup into a new database on the same server (pg_restore --no-owner fed the
 * decrypted archive on stdin), or over the live one (in_place: pre_restore backup, maintenance
 * window, pg_restore --clean --single-transaction), recorded in db_restores.
 */
export function bindRestores(bind: Bind): void {
  bind(
    TOKENS.RestoreRepository,
    // Ten missed progress saves, and never less than a minute, like the backups' reaper.
    (config: Config, db: PgSqlDatabase): RestoreRepository => new PgRestoreRepository(db, config.backups.staleAfterMs),
    [TOKENS.Config, TOKENS.PgSqlDatabase],
  );
  bind(
    TOKENS.DatabaseRestorer,
    (config: Config): DatabaseRestorer =>
      new PgRestoreDatabaseRestorer({ connectionString: config.databaseUrl ?? '', binDir: config.backups.pgBinDir, applicationName: config.serviceName }),
    [TOKENS.Config],
  );
  // Manifest objects are file objects: they live in the primary store, whatever store holds the archives.
  bind(
    TOKENS.StartRestore,
    (config: Config, open: OpenBackupArchive, backups: BackupRepository, restores: RestoreRepository, restorer: DatabaseRestorer, files: ObjectStore, clock: Clock, logger: Logger) =>
      new StartRestore(open, backups, restores, restorer, files, clock, logger, config.backups.progressIntervalMs),
    [TOKENS.Config, TOKENS.OpenBackupArchive, TOKENS.BackupRepository, TOKENS.RestoreRepository, TOKENS.DatabaseRestorer, TOKENS.ObjectStore, TOKENS.Clock, TOKENS.Logger],
  );
  bind(TOKENS.GetRestore, (restores: RestoreRepository) => new GetRestore(restores), [TOKENS.RestoreRepository]);
  // Every write route asks it (mounted once, in the route builder); one second of reuse per instance.
  bind(
    TOKENS.MaintenanceGate,
    (restores: RestoreRepository, logger: Logger) => new MaintenanceGate(restores, logger, { cacheMs: MAINTENANCE_CACHE_MS, retryAfterSeconds: MAINTENANCE_RETRY_AFTER_SECONDS }),
    [TOKENS.RestoreRepository, TOKENS.Logger],
  );
  bind(
    TOKENS.RestoreInPlace,
    (
      config: Config,
      openArchive: OpenBackupArchive,
      backups: BackupRepository,
      restores: RestoreRepository,
      restorer: DatabaseRestorer,
      startBackup: StartBackup,
      runBackup: RunBackup,
      migrationSource: MigrationSource,
      migrationStore: MigrationStore,
      cache: CacheInvalidator,
      schema: SchemaCatalog,
      retained: RetainedObjects,
      files: ObjectStore,
      gate: MaintenanceGate,
      clock: Clock,
      logger: Logger,
    ) =>
      new RestoreInPlace(
        { openArchive, backups, restores, restorer, startBackup, runBackup, migrationSource, migrationStore, cache, schema, retained, files, gate, clock, logger },
        { databaseName: liveDatabaseName(config.databaseUrl), progressIntervalMs: config.backups.progressIntervalMs, lockTimeoutMs: config.backups.lockWaitTimeoutMs },
      ),
    [
      TOKENS.Config, TOKENS.OpenBackupArchive, TOKENS.BackupRepository, TOKENS.RestoreRepository, TOKENS.DatabaseRestorer, TOKENS.StartBackup, TOKENS.RunBackup,
      TOKENS.MigrationSource, TOKENS.MigrationStore, TOKENS.CacheInvalidator, TOKENS.SchemaCatalog, TOKENS.RetainedObjects, TOKENS.ObjectStore,
      TOKENS.MaintenanceGate, TOKENS.Clock, TOKENS.Logger,
    ],
  );
  bind(
    TOKENS.RestoresModule,
    (startRestore: StartRestore, restoreInPlace: RestoreInPlace, getRestore: GetRestore): Capability => ({
      mountRoutes(routes) {
        dbRestoresRoutes(routes, { startRestore, restoreInPlace, getRestore });
      },
      tasks: [],
    }),
    [TOKENS.StartRestore, TOKENS.RestoreInPlace, TOKENS.GetRestore],
  );
}
