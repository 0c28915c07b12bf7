import { DomainError } from '../shared/domain-error';

/** A backup is already queued or running (here or on another instance): one at a time. */
export class BackupInProgress extends DomainError {
  readonly code = 'BACKUP_IN_PROGRESS';
  constructor(details: { backup_id?: string } = {}) {
    super('A database backup is already queued or running; retry when it has finished', details);
  }
}

/** No backup has this id (or, with a reason, it has no archive to read). */
export class BackupNotFound extends DomainError {
  readonly code = 'BACKUP_NOT_FOUND';
  constructor(id: string, reason?: string) {
    super(reason ? `Backup ${id} ${reason}` : `No backup has id ${id}`, { backup_id: id });
  }
}

/** pg_dump/pg_restore are missing, or older than the server's major version. */
export class BackupToolUnavailable extends DomainError {
  readonly code = 'BACKUP_TOOL_UNAVAILABLE';
  constructor(reason: string, details: { package: string; server_major_version?: number; found_version?: string | null }) {
    super(`${reason}; install ${details.package} (Debian/Ubuntu) or point PG_BIN_DIR at its binaries`, details);
  }
}

/**
 * A stored archive does not decrypt (wrong key, tampered or truncated) or its sha256 differs from the
 * one recorded when it was taken.
 */
export class BackupCorrupt extends DomainError {
  readonly code = 'BACKUP_CORRUPT';
  constructor(id: string, reason: string) {
    super(`Backup ${id} is corrupt: ${reason}`, { backup_id: id, reason });
  }
}
