import type { BackupRepository } from '../../application/ports/backup-repository.port';
import type { Clock } from '../../application/ports/clock.port';
import type { DatabaseRestorer } from '../../application/ports/database-restorer.port';
import type { Logger } from '../../application/ports/logger.port';
import type { ObjectStore } from '../../application/ports/object-store.port';
import type { RestoreRepository } from '../../application/ports/restore-repository.port';
import type { OpenBackupArchive } from '../../application/database/backups/open-backup-archive';
import { GetRestore } from '../../application/database/restores/get-restore';
import { StartRestore } from '../../application/database/restores/start-restore';
import { dbRestoresRoutes } from '../../adapters/http/routes/db-restores.routes';
import { PgRestoreDatabaseRestorer } from '../../adapters/postgres/pg-restore-database-restorer';
import { PgRestoreRepository } from '../../adapters/postgres/pg-restore-repository';
import type { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import type { Capability } from '../background-task';
import type { Bind } from '../binder';
import type { Config } from '../config';
import { TOKENS } from '../tokens';

/**
 * Restores of a backup into a new database on the same server (pg_restore --no-owner fed the
 * decrypted archive on stdin), recorded in db_restores.
 */
export function bindRestores(bind: Bind): void {
  bind(
    TOKENS.RestoreRepository,
    // Ten missed progress saves, and never less than a minute, like the backups' reaper.
    (config: Config, db: PgSqlDatabase): RestoreRepository => new PgRestoreRepository(db, Math.max(60_000, config.backups.progressIntervalMs * 10)),
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
  bind(
    TOKENS.RestoresModule,
    (startRestore: StartRestore, getRestore: GetRestore): Capability => ({
      mountRoutes(routes) {
        dbRestoresRoutes(routes, { startRestore, getRestore });
      },
      tasks: [],
    }),
    [TOKENS.StartRestore, TOKENS.GetRestore],
  );
}
