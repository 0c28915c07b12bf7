import type { Request, RequestHandler, Response } from 'express';
import { mapError } from '../error-mapper';
import { RequestTimeout } from '../errors/http-errors';
import { hasBody } from './json-body';

/**
 * Answers 408 REQUEST_TIMEOUT and closes the connection when a request's body stops arriving: no
 * byte for `idleMs` while the body is incomplete (a Content-Length promising more than is sent would
 * otherwise hold the connection, and whatever reads the body, forever). An idle bound rather than a
 * total one, because a long upload that keeps sending is legitimate. When bytes wait unread in the
 * request, the reader (this service) is the slow side, so the clock starts again instead.
 * 0 disables it.
 */
export function bodyIdleTimeout(idleMs: number, service: string): RequestHandler {
  return (req, res, next) => {
    if (idleMs > 0 && !req.complete && hasBody(req)) watch(req, res, idleMs, service);
    next();
  };
}

function watch(req: Request, res: Response, idleMs: number, service: string): void {
  // Node emits 'timeout' on the request only while it is incomplete (then on the response, then the server).
  const onTimeout = () => {
    // Detached from its socket already (answered, connection gone): nothing left to time out, and
    // req.setTimeout would throw out of a timer, taking the process down.
    if (!req.socket) return;
    if (req.readableLength > 0) {
      req.setTimeout(idleMs);
      return;
    }
    req.off('timeout', onTimeout);
    if (res.headersSent) {
      req.destroy();
      req.socket.destroy();
      return;
    }
    const requestId = res.locals.requestId ?? String(res.getHeader('x-request-id') ?? 'unknown');
    const mapped = mapError(
      new RequestTimeout(`No request body data received for ${idleMs} ms`, { idle_timeout_ms: idleMs }),
      requestId,
      service,
    );
    res.setHeader('Connection', 'close');
    res.status(mapped.status).json(mapped.body);
    // Destroying the request itself, not only the socket: answered, it is no longer the connection's
    // current request, so the socket closing would not tell whoever still waits on its body.
    res.once('finish', () => {
      req.destroy();
      req.socket.destroy();
    });
  };
  // Once the whole body has arrived but nobody read it (a route that ignores bodies), Node no longer
  // tells the request; with no listener anywhere it would destroy the socket, answer unsent. The
  // body is in, so the bound is over: the connection goes back to Node's own timeouts.
  const onCompleteTimeout = () => {
    if (req.complete && req.socket) req.setTimeout(0);
  };
  res.on('timeout', onCompleteTimeout);
  res.once('close', () => res.off('timeout', onCompleteTimeout));
  req.on('timeout', onTimeout);
  req.setTimeout(idleMs);
  // Once the body is in, the socket's own timeout (none while a request runs) applies again; after
  // the answer Node has already set the keep-alive timeout, which must stay.
  req.once('end', () => {
    req.off('timeout', onTimeout);
    if (!res.writableFinished) req.setTimeout(0);
  });
}
