import { DomainError } from '../shared/domain-error';

/** A restore is already queued or running (here or on another instance): one at a time. */
export class RestoreInProgress extends DomainError {
  readonly code = 'RESTORE_IN_PROGRESS';
  constructor(details: { restore_id?: string } = {}) {
    super('A database restore is already queued or running; retry when it has finished', details);
  }
}

/** No restore has this id. */
export class RestoreNotFound extends DomainError {
  readonly code = 'RESTORE_NOT_FOUND';
  constructor(id: string) {
    super(`No restore has id ${id}`, { restore_id: id });
  }
}

/** The database a new_database restore would create exists already: it is never overwritten. */
export class RestoreTargetExists extends DomainError {
  readonly code = 'RESTORE_TARGET_EXISTS';
  constructor(databaseName: string) {
    super(`Database ${databaseName} already exists; choose another database_name`, { database_name: databaseName });
  }
}

/** An in_place restore must repeat the backup's id in `confirm`: it replaces the live database. */
export class RestoreNotConfirmed extends DomainError {
  readonly code = 'RESTORE_NOT_CONFIRMED';
  constructor(backupId: string) {
    super(`An in-place restore replaces the live database: send "confirm": "${backupId}" (the backup's id) to go ahead`, { backup_id: backupId });
  }
}

/** The backup was taken by a schema newer than this code knows: restoring it would leave code and schema apart. */
export class BackupSchemaNewer extends DomainError {
  readonly code = 'BACKUP_SCHEMA_NEWER';
  constructor(backupId: string, backupVersion: string, codeVersion: string | null) {
    super(`Backup ${backupId} has migration ${backupVersion}, newer than this service's latest (${codeVersion ?? 'none'}); deploy that version first`, {
      backup_id: backupId,
      backup_migration_version: backupVersion,
      code_migration_version: codeVersion,
    });
  }
}

/** An in-place restore is running (on any instance): writes wait, reads go on. */
export class UnderMaintenance extends DomainError {
  readonly code = 'MAINTENANCE';
  constructor(restoreId: string, retryAfterSeconds: number) {
    super('The database is being restored; writes are refused until it ends (reads go on)', { restore_id: restoreId, retry_after: retryAfterSeconds });
  }
}
