import { DomainError, type DomainErrorCode } from '../../domain/shared/domain-error';
import type { HttpErrorCode } from './errors/http-error-code';

/** Every code an error body may carry: the domain's and the HTTP edge's own. */
export type ErrorCode = DomainErrorCode | HttpErrorCode;

/**
 * The one table from error code to HTTP status. `satisfies` makes a code without a status (or a
 * status for no code) a compile error; anything thrown that is not a mapped DomainError answers 500.
 */
const STATUS_BY_CODE = {
  VALIDATION_ERROR: 400,
  MALFORMED_JSON: 400,
  MALFORMED_REQUEST: 400,
  INVALID_DATA: 400,
  ENCRYPTED_COLUMN_NOT_SEARCHABLE: 400,
  UNAUTHORIZED: 401,
  INTERNAL_SIGNATURE_INVALID: 401,
  INTERNAL_REQUEST_EXPIRED: 401,
  INTERNAL_REQUEST_REPLAYED: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  LEASE_NOT_FOUND: 404,
  PARENT_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  NOT_ACCEPTABLE: 406,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  MIGRATION_IN_PROGRESS: 409,
  TRANSACTION_ALREADY_ACTIVE: 409,
  NO_ACTIVE_TRANSACTION: 409,
  TRANSACTION_ABORTED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNKNOWN_MIGRATION_VERSION: 422,
  MIGRATION_DOWNGRADE_NOT_SUPPORTED: 422,
  RATE_LIMIT_EXCEEDED: 429,
  UPLOAD_LIMIT_EXCEEDED: 429,
  HEADERS_TOO_LARGE: 431,
  INVALID_FILE_TYPE: 415,
  CHECKSUM_MISMATCH: 422,
  FILE_TOO_LARGE: 413,
  QUOTA_EXCEEDED: 413,
  DUPLICATE_FILE: 409,
  FILE_NOT_FOUND: 404,
  UPLOAD_SESSION_NOT_FOUND: 404,
  UPLOAD_SESSION_EXPIRED: 410,
  LEASE_LOST: 410,
  RANGE_NOT_SATISFIABLE: 416,
  INVALID_SIGNATURE: 403,
  TUS_VERSION_UNSUPPORTED: 412,
  TUS_CHECKSUM_MISMATCH: 460,
  STORAGE_BACKEND_ERROR: 503,
  INSUFFICIENT_STORAGE: 507,
  STORAGE_INTEGRITY_ERROR: 502,
  ENCRYPTION_KEY_UNAVAILABLE: 503,
  TRANSFORMATION_FAILED: 422,
  CDN_SYNC_FAILED: 502,
  UNSUPPORTED_TRANSFORMATION: 422,
  LEASE_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
  DATABASE_UNAVAILABLE: 503,
  DATABASE_CONNECTION_FAILED: 503,
  CACHE_UNAVAILABLE: 503,
  AUTH_PROVIDER_UNAVAILABLE: 503,
  DATABASE_TIMEOUT: 504,
  SQL_NOT_ALLOWED: 400,
  SQL_SYNTAX_ERROR: 400,
  SQL_EXECUTION_ERROR: 400,
  SQL_PERMISSION_DENIED: 403,
  SQL_ROLE_UNAVAILABLE: 503,
  QUERY_TIMEOUT: 504,
  BACKUP_IN_PROGRESS: 409,
  BACKUP_NOT_FOUND: 404,
  BACKUP_TOOL_UNAVAILABLE: 503,
  BACKUP_CORRUPT: 422,
  RESTORE_IN_PROGRESS: 409,
  RESTORE_NOT_FOUND: 404,
  RESTORE_TARGET_EXISTS: 409,
  RESTORE_NOT_CONFIRMED: 400,
  BACKUP_SCHEMA_NEWER: 409,
  MAINTENANCE: 503,
  SERVICE_NOT_READY: 503,
  // Never an HTTP answer today (recorded on the migration run, or stops the start); should it
  // surface, the deployed migration failed, which is the service's fault, not the request's.
  MIGRATION_FAILED: 500,
} satisfies Record<ErrorCode, number>;

/** Looked up by the code a thrown error carries at run time, which the compiler cannot vouch for. */
const STATUS_OF: ReadonlyMap<string, number> = new Map(Object.entries(STATUS_BY_CODE));

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    details: Record<string, unknown>;
    timestamp: string;
    request_id: string;
    service: string;
  };
}

export interface MappedError {
  status: number;
  body: ErrorBody;
  /** True when the error was not a known domain error: log it in full, show nothing of it. */
  unexpected: boolean;
}

export function mapError(error: unknown, requestId: string, service: string, now: Date = new Date()): MappedError {
  const known = error instanceof DomainError ? STATUS_OF.get(error.code) : undefined;
  if (error instanceof DomainError && known !== undefined) {
    return { status: known, body: body(error.code, error.message, error.details, requestId, service, now), unexpected: false };
  }
  return {
    status: 500,
    body: body('INTERNAL_ERROR', 'An unexpected error occurred', {}, requestId, service, now),
    unexpected: true,
  };
}

export function statusForCode(code: string): number | undefined {
  return STATUS_OF.get(code);
}

/** Every code with its status, for the test that holds this table and the README's together. */
export function statusTable(): ReadonlyArray<readonly [string, number]> {
  return [...STATUS_OF];
}

function body(code: string, message: string, details: Record<string, unknown>, requestId: string, service: string, now: Date): ErrorBody {
  return { error: { code, message, details, timestamp: now.toISOString(), request_id: requestId, service } };
}
