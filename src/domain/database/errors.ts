import { DomainError } from '../shared/domain-error';

/** Another run holds the migration lock (in this instance or another one). */
export class MigrationInProgress extends DomainError {
  readonly code = 'MIGRATION_IN_PROGRESS';
  constructor(details: { migration_id?: string } = {}) {
    super('Another migration run is in progress; retry when it has finished', details);
  }
}

/** `target_version` names no known migration. */
export class UnknownMigrationVersion extends DomainError {
  readonly code = 'UNKNOWN_MIGRATION_VERSION';
  constructor(targetVersion: string) {
    super(`No migration has version ${targetVersion}`, { target_version: targetVersion });
  }
}

/** `target_version` is behind the database: there are no down migrations to go back with. */
export class MigrationDowngradeNotSupported extends DomainError {
  readonly code = 'MIGRATION_DOWNGRADE_NOT_SUPPORTED';
  constructor(targetVersion: string, currentVersion: string) {
    super(
      `The database is already at ${currentVersion}, past target ${targetVersion}; migrations only go forward (there are no down migrations)`,
      { target_version: targetVersion, current_version: currentVersion },
    );
  }
}

/**
 * One migration's statements failed; its transaction was rolled back, so the database stays at the
 * previous version. `reason` is the database's own message, meant for the administrator.
 */
export class MigrationFailed extends DomainError {
  readonly code = 'MIGRATION_FAILED';
  constructor(
    readonly version: string,
    readonly reason: string,
  ) {
    super(`Migration ${version} failed: ${reason}`, { version, reason });
  }
}
