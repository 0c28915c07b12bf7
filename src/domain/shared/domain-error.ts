/**
 * Every code a domain or application failure may carry. The HTTP edge's table must give each one a
 * status (`satisfies Record<ErrorCode, number>` in adapters/http/error-mapper.ts), so a subclass with
 * a new code does not compile until the code is listed here and mapped there.
 */
export type DomainErrorCode =
  // shared
  | 'VALIDATION_ERROR'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'DATABASE_UNAVAILABLE'
  | 'DATABASE_TIMEOUT'
  | 'DATABASE_CONNECTION_FAILED'
  | 'CACHE_UNAVAILABLE'
  | 'AUTH_PROVIDER_UNAVAILABLE'
  // health
  | 'SERVICE_NOT_READY'
  // database: migrations, leases, transactions
  | 'MIGRATION_IN_PROGRESS'
  | 'UNKNOWN_MIGRATION_VERSION'
  | 'MIGRATION_DOWNGRADE_NOT_SUPPORTED'
  | 'MIGRATION_FAILED'
  | 'LEASE_NOT_FOUND'
  | 'LEASE_LOST'
  | 'LEASE_LIMIT_EXCEEDED'
  | 'TRANSACTION_ALREADY_ACTIVE'
  | 'NO_ACTIVE_TRANSACTION'
  | 'TRANSACTION_ABORTED'
  | 'INVALID_DATA'
  | 'PARENT_NOT_FOUND'
  | 'ENCRYPTED_COLUMN_NOT_SEARCHABLE'
  // database: restricted SQL
  | 'SQL_NOT_ALLOWED'
  | 'SQL_SYNTAX_ERROR'
  | 'SQL_PERMISSION_DENIED'
  | 'SQL_EXECUTION_ERROR'
  | 'SQL_ROLE_UNAVAILABLE'
  | 'QUERY_TIMEOUT'
  // database: backups
  | 'BACKUP_IN_PROGRESS'
  | 'BACKUP_NOT_FOUND'
  | 'BACKUP_TOOL_UNAVAILABLE'
  | 'BACKUP_CORRUPT'
  // database: restores
  | 'RESTORE_IN_PROGRESS'
  | 'RESTORE_NOT_FOUND'
  | 'RESTORE_TARGET_EXISTS'
  | 'RESTORE_NOT_CONFIRMED'
  | 'BACKUP_SCHEMA_NEWER'
  | 'MAINTENANCE'
  // storage
  | 'INVALID_FILE_TYPE'
  | 'CHECKSUM_MISMATCH'
  | 'FILE_TOO_LARGE'
  | 'QUOTA_EXCEEDED'
  | 'DUPLICATE_FILE'
  | 'FILE_NOT_FOUND'
  | 'UPLOAD_SESSION_EXPIRED'
  | 'UPLOAD_SESSION_NOT_FOUND'
  | 'STORAGE_BACKEND_ERROR'
  | 'INSUFFICIENT_STORAGE'
  | 'STORAGE_INTEGRITY_ERROR'
  | 'ENCRYPTION_KEY_UNAVAILABLE'
  | 'RANGE_NOT_SATISFIABLE'
  | 'INVALID_SIGNATURE'
  | 'TRANSFORMATION_FAILED'
  | 'UNSUPPORTED_TRANSFORMATION'
  | 'CDN_SYNC_FAILED';

/**
 * Every failure a caller can act on. `code` is the stable machine-readable name the HTTP edge maps
 * to a status; `details` travels to the client, so it must never hold secrets or internals.
 * `Code` is the domain's list; only the HTTP edge, whose own failures (malformed JSON, unknown
 * route…) are not the domain's, passes its list instead.
 */
export abstract class DomainError<Code extends string = DomainErrorCode> extends Error {
  abstract readonly code: Code;

  constructor(message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
  }
}
