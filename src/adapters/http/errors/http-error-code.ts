/**
 * Codes of failures of the HTTP exchange itself (and of the tus protocol), which no use case raises:
 * the edge's own list beside the domain's, mapped by the same table in error-mapper.ts.
 */
export type HttpErrorCode =
  | 'MALFORMED_JSON'
  | 'ROUTE_NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'NOT_ACCEPTABLE'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMIT_EXCEEDED'
  | 'UPLOAD_LIMIT_EXCEEDED'
  | 'TUS_VERSION_UNSUPPORTED'
  | 'TUS_CHECKSUM_MISMATCH'
  | 'MALFORMED_REQUEST'
  | 'HEADERS_TOO_LARGE'
  | 'REQUEST_TIMEOUT'
  // the internal listener (requests forwarded between instances)
  | 'INTERNAL_SIGNATURE_INVALID'
  | 'INTERNAL_REQUEST_EXPIRED'
  | 'INTERNAL_REQUEST_REPLAYED'
  /** The body of anything unexpected: never thrown, only answered. */
  | 'INTERNAL_ERROR';
