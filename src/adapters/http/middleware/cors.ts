import cors from 'cors';
import type { RequestHandler } from 'express';

/** `*`: any origin; a list: exactly those origins (scheme, host, port). */
export type CorsOrigins = '*' | readonly string[];

/** What tus-js-client and Uppy send and read (tus 1.0 headers), besides the API's own. */
const ALLOWED_HEADERS = [
  'Authorization', 'Content-Type', 'Upload-Length', 'Upload-Offset', 'Tus-Resumable', 'Upload-Metadata', 'Upload-Checksum',
  'Upload-Defer-Length', 'Upload-Concat', 'X-Request-ID', 'X-HTTP-Method-Override',
];
const EXPOSED_HEADERS = [
  'Upload-Offset', 'Location', 'Upload-Length', 'Tus-Version', 'Tus-Resumable', 'Tus-Max-Size', 'Tus-Extension', 'Upload-Metadata',
  'Upload-Expires', 'X-Request-ID',
];
const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const MAX_AGE_SECONDS = 86_400;

/**
 * CORS for browsers (Uppy, tus-js-client): an allowed origin gets the Access-Control-* headers, any
 * other origin none. A preflight (OPTIONS with Access-Control-Request-Method) from an allowed origin
 * is answered here, before authentication and rate limiting; a plain OPTIONS (tus discovery) still
 * reaches its route. No origins: no middleware at all.
 */
export function corsPolicy(origins: CorsOrigins): RequestHandler[] {
  if (origins !== '*' && origins.length === 0) return [];
  const allowed = new Set(origins);
  const policy = cors({
    // A function, not the list itself: with a list, cors still sends Allow-Methods, Allow-Headers and
    // Expose-Headers to an origin it refuses; refused this way, the request gets no CORS header at all.
    origin: origins === '*' ? '*' : (origin, done) => done(null, origin !== undefined && allowed.has(origin)),
    methods: ALLOWED_METHODS,
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: MAX_AGE_SECONDS,
    // cors would answer every OPTIONS itself, tus discovery included: only true preflights end below.
    preflightContinue: true,
  });
  const endPreflight: RequestHandler = (req, res, next) => {
    // Answers differ by Origin (headers or none), so a shared cache must not hand one origin's to another.
    if (origins !== '*') res.vary('Origin');
    const preflight = req.method === 'OPTIONS' && req.get('access-control-request-method') !== undefined;
    if (preflight && res.getHeader('Access-Control-Allow-Origin') !== undefined) {
      res.status(204).setHeader('Content-Length', '0');
      res.end();
      return;
    }
    next();
  };
  return [policy, endPreflight];
}
