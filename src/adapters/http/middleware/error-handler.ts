import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from '../../../application/ports/logger.port';
import { ValidationFailed } from '../../../domain/shared/errors';
import { mapError } from '../error-mapper';
import { MalformedJson, PayloadTooLarge, RouteNotFound, UnsupportedMediaType } from '../errors/http-errors';

/** body-parser reports its failures as plain errors with a `type`; give them their codes. */
function fromBodyParser(error: unknown): unknown {
  const type = (error as { type?: unknown })?.type;
  const limit = (error as { limit?: unknown })?.limit;
  switch (type) {
    case 'entity.parse.failed':
      return new MalformedJson('Request body is not valid JSON');
    case 'entity.too.large':
      return new PayloadTooLarge('Request body exceeds the size limit', { max_size_bytes: limit ?? null });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new UnsupportedMediaType('Unsupported body encoding or charset');
    default:
      return error;
  }
}

/**
 * Express 5's router decodes path parameters while matching routes and passes decodeURIComponent's
 * URIError on (with status 400) when one is not valid percent-encoding (`/files/%zz`), before any
 * route or its schema runs.
 */
function fromRouter(error: unknown): unknown {
  if (error instanceof URIError && (error as URIError & { status?: unknown }).status === 400) {
    return new ValidationFailed('A path parameter is not valid percent-encoding', [{ path: 'params', message: error.message }]);
  }
  return error;
}

/** The request was aborted by its client, or destroyed after a 408: its body's reader failing is expected. */
function clientGone(req: Request, error: unknown): boolean {
  return req.destroyed || (error as { type?: unknown })?.type === 'request.aborted';
}

export function notFound(): RequestHandler {
  return (req, _res, next) => next(new RouteNotFound(`No route for ${req.method} ${req.path}`, { method: req.method, path: req.path }));
}

function bodyAnnounced(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export function handleErrors(logger: Logger, service: string): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const mapped = mapError(fromRouter(fromBodyParser(error)), res.locals.requestId ?? 'unknown', service);
    if (mapped.unexpected && clientGone(req, error)) {
      // The reader of a body the client abandoned (or the idle timer cut) fails; nothing is wrong here.
      logger.warn({ request_id: res.locals.requestId, reason: error instanceof Error ? error.message : String(error) }, 'request body ended early');
    } else if (mapped.unexpected) logger.error({ request_id: res.locals.requestId, err: error }, 'unexpected error');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // A body its route stopped reading half-way (a store that failed mid-upload): Node does not drain
    // it, so the connection could serve no next request; a keep-alive client would send one and wait
    // for ever (the fault suite's disk-full phase). Closing after the answer also stops the sending.
    if (!req.complete && bodyAnnounced(req)) res.setHeader('Connection', 'close');
    if (mapped.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    const retryAfter = mapped.body.error.details.retry_after;
    if (typeof retryAfter === 'number' && !res.hasHeader('Retry-After')) res.setHeader('Retry-After', String(retryAfter));
    res.status(mapped.status).json(mapped.body);
  };
}
