import { DomainError } from '../../../domain/shared/domain-error';

/** Failures of the HTTP exchange itself, before any use case runs. */

export class MalformedJson extends DomainError {
  readonly code = 'MALFORMED_JSON';
}

export class RouteNotFound extends DomainError {
  readonly code = 'ROUTE_NOT_FOUND';
}

export class PayloadTooLarge extends DomainError {
  readonly code = 'PAYLOAD_TOO_LARGE';
}

export class UnsupportedMediaType extends DomainError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
}

export class NotAcceptable extends DomainError {
  readonly code = 'NOT_ACCEPTABLE';
}

export class RateLimited extends DomainError {
  readonly code = 'RATE_LIMIT_EXCEEDED';
}

export class MethodNotAllowed extends DomainError {
  readonly code = 'METHOD_NOT_ALLOWED';
}
