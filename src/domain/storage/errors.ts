import { DomainError } from '../shared/domain-error';

/** The codes of 002 "Codes d'erreur spécifiques", plus what a client needs to act. */

export class InvalidFileType extends DomainError {
  readonly code = 'INVALID_FILE_TYPE';
}

export class ChecksumMismatch extends DomainError {
  readonly code = 'CHECKSUM_MISMATCH';
}

export class FileTooLarge extends DomainError {
  readonly code = 'FILE_TOO_LARGE';
}

export class QuotaExceeded extends DomainError {
  readonly code = 'QUOTA_EXCEEDED';
}

export class DuplicateFile extends DomainError {
  readonly code = 'DUPLICATE_FILE';
}

export class FileNotFound extends DomainError {
  readonly code = 'FILE_NOT_FOUND';
}

export class UploadSessionExpired extends DomainError {
  readonly code = 'UPLOAD_SESSION_EXPIRED';
}

export class UploadSessionNotFound extends DomainError {
  readonly code = 'UPLOAD_SESSION_NOT_FOUND';
}

export class StorageBackendError extends DomainError {
  readonly code = 'STORAGE_BACKEND_ERROR';
}

/** The object store has no room left (a full disk: ENOSPC, EDQUOT): 002's 507, nothing of the write is kept. */
export class InsufficientStorage extends DomainError {
  readonly code = 'INSUFFICIENT_STORAGE';
}

/** A stored object failed its authentication (flipped, truncated or reordered bytes): never served. */
export class StorageIntegrityError extends DomainError {
  readonly code = 'STORAGE_INTEGRITY_ERROR';
}

/** The file's data key is wrapped by a master key no longer in the keyring (ENCRYPTION_KEYS). */
export class EncryptionKeyUnavailable extends DomainError {
  readonly code = 'ENCRYPTION_KEY_UNAVAILABLE';
}

export class RangeNotSatisfiable extends DomainError {
  readonly code = 'RANGE_NOT_SATISFIABLE';
}

export class InvalidSignature extends DomainError {
  readonly code = 'INVALID_SIGNATURE';
}

/** The job gave up: corrupt or mislabelled input, or a tool failure after its retries. */
export class TransformationFailed extends DomainError {
  readonly code = 'TRANSFORMATION_FAILED';
}

/** The transformation does not apply to this kind of file (002's transformation matrix). */
export class UnsupportedTransformation extends DomainError {
  readonly code = 'UNSUPPORTED_TRANSFORMATION';
}

/** A CDN refused or could not take a purge (002 "CDN_SYNC_FAILED"); the message never holds credentials. */
export class CdnSyncFailed extends DomainError {
  readonly code = 'CDN_SYNC_FAILED';
}
