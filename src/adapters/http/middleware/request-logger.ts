import type { RequestHandler } from 'express';
import type { Logger } from '../../../application/ports/logger.port';

export interface RequestObserver {
  observeRequest(method: string, route: string, status: number, seconds: number): void;
}

/** One structured line per request once it ends, and the duration histogram. */
export function logRequests(logger: Logger, observer: RequestObserver): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = res.locals.routeTemplate ?? 'unmatched';
      observer.observeRequest(req.method, route, res.statusCode, seconds);
      const line = {
        request_id: res.locals.requestId,
        method: req.method,
        route,
        path: req.path,
        status: res.statusCode,
        latency_ms: Math.round(seconds * 1e6) / 1e3,
        caller: res.locals.caller?.userId ?? null,
        client_version: req.get('x-client-version')?.slice(0, 64) ?? null,
        aborted: !res.writableFinished,
      };
      if (res.statusCode >= 500) logger.error(line, 'request failed');
      else logger.info(line, 'request completed');
    };
    res.on('finish', finish);
    res.on('close', finish);
    next();
  };
}
