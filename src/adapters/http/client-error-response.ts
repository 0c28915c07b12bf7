import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { DomainError } from '../../domain/shared/domain-error';
import { mapError } from './error-mapper';
import { HeadersTooLarge, MalformedRequest, RequestTimeout } from './errors/http-errors';
import type { HttpErrorCode } from './errors/http-error-code';

/**
 * What a request Node's HTTP parser refused, or that timed out before its head was read, deserves:
 * the standard error body, as Express would send it, though Express never saw the request.
 * Null when the client is gone (reset) and nothing can be written.
 */
export function clientErrorFailure(error: Error & { code?: string }): DomainError<HttpErrorCode> | null {
  switch (error.code) {
    case 'ECONNRESET':
      return null;
    case 'HPE_HEADER_OVERFLOW':
      return new HeadersTooLarge('The request line and headers exceed 16 KiB');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new RequestTimeout('The request was not received in time');
    default:
      return new MalformedRequest('The request is not valid HTTP/1.1', { reason: error.code ?? 'unknown' });
  }
}

/**
 * A whole HTTP/1.1 response with the standard error body, written straight to the socket: the
 * parser has failed, so the connection is closed after it. A fresh X-Request-ID, since no header
 * the client sent can be trusted.
 */
export function rawErrorResponse(failure: DomainError<HttpErrorCode>, service: string, requestId = `req_${randomUUID()}`): string {
  const mapped = mapError(failure, requestId, service);
  const body = JSON.stringify(mapped.body);
  return [
    `HTTP/1.1 ${mapped.status} ${STATUS_CODES[mapped.status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Request-ID: ${requestId}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}
