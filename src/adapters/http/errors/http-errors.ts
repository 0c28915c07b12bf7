import { DomainError } from '../../../domain/shared/domain-error';
import type { HttpErrorCode } from './http-error-code';

/** Failures of the HTTP exchange itself, before any use case runs. */

export class MalformedJson extends DomainError<HttpErrorCode> {
  readonly code = 'MALFORMED_JSON';
}

export class RouteNotFound extends DomainError<HttpErrorCode> {
  readonly code = 'ROUTE_NOT_FOUND';
}

export class PayloadTooLarge extends DomainError<HttpErrorCode> {
  readonly code = 'PAYLOAD_TOO_LARGE';
}

export class UnsupportedMediaType extends DomainError<HttpErrorCode> {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
}

export class NotAcceptable extends DomainError<HttpErrorCode> {
  readonly code = 'NOT_ACCEPTABLE';
}

export class RateLimited extends DomainError<HttpErrorCode> {
  readonly code = 'RATE_LIMIT_EXCEEDED';
}

/** The caller already has MAX_CONCURRENT_UPLOADS upload requests in flight. */
export class UploadLimitExceeded extends DomainError<HttpErrorCode> {
  readonly code = 'UPLOAD_LIMIT_EXCEEDED';
}

export class MethodNotAllowed extends DomainError<HttpErrorCode> {
  readonly code = 'METHOD_NOT_ALLOWED';
}

/** A request Node's HTTP parser refused (malformed request line or headers), answered before Express. */
export class MalformedRequest extends DomainError<HttpErrorCode> {
  readonly code = 'MALFORMED_REQUEST';
}

/** The request line and headers exceed Node's limit (16 KiB). */
export class HeadersTooLarge extends DomainError<HttpErrorCode> {
  readonly code = 'HEADERS_TOO_LARGE';
}

/** The client stopped sending: headers not complete within HTTP_HEADERS_TIMEOUT_MS, or no body byte for HTTP_BODY_IDLE_TIMEOUT_MS. */
export class RequestTimeout extends DomainError<HttpErrorCode> {
  readonly code = 'REQUEST_TIMEOUT';
}

/** A request to the internal listener without a valid HMAC of INTERNAL_SECRET (missing, forged, or for another instance). */
export class InternalSignatureInvalid extends DomainError<HttpErrorCode> {
  readonly code = 'INTERNAL_SIGNATURE_INVALID';
}

/** A signed internal request whose timestamp is outside the replay window. */
export class InternalRequestExpired extends DomainError<HttpErrorCode> {
  readonly code = 'INTERNAL_REQUEST_EXPIRED';
}

/** A signed internal request seen before (same nonce): a replay. */
export class InternalRequestReplayed extends DomainError<HttpErrorCode> {
  readonly code = 'INTERNAL_REQUEST_REPLAYED';
}
