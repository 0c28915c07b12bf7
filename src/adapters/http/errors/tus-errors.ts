import { DomainError } from '../../../domain/shared/domain-error';
import type { HttpErrorCode } from './http-error-code';

/** tus 1.0 protocol failures, with the statuses the protocol names (412, 460). */

export class TusVersionUnsupported extends DomainError<HttpErrorCode> {
  readonly code = 'TUS_VERSION_UNSUPPORTED';
}

export class TusChecksumMismatch extends DomainError<HttpErrorCode> {
  readonly code = 'TUS_CHECKSUM_MISMATCH';
}
