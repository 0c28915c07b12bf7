import express, { type Request, type RequestHandler } from 'express';
import { MalformedJson, UnsupportedMediaType } from '../errors/http-errors';
import { JSON_TYPES } from './content-negotiation';

/** Content-Encodings a JSON body may arrive in; body-parser inflates them, under the same BODY_LIMIT (counted decoded). */
export const JSON_BODY_ENCODINGS = ['identity', 'gzip', 'deflate', 'br'];

/**
 * Parses JSON bodies (application/json and the vendor type). A Content-Encoding outside
 * JSON_BODY_ENCODINGS is refused with 415 before reading, whatever this Node's zlib could do (so
 * the answer does not change with the Node version); a body that does not decode as its declared
 * encoding (`gzip` on plain text) is a 400, like a body that is not JSON.
 */
export function parseJsonBody(limitBytes: number): RequestHandler {
  const parse = express.json({ limit: limitBytes, type: JSON_TYPES });
  return (req, res, next) => {
    const encoding = contentEncoding(req);
    if (!JSON_BODY_ENCODINGS.includes(encoding) && hasBody(req) && req.is(JSON_TYPES)) {
      return next(new UnsupportedMediaType(`Content-Encoding "${encoding}" is not supported`, { content_encoding: encoding, supported: JSON_BODY_ENCODINGS }));
    }
    parse(req, res, (error?: unknown) => {
      if (error === undefined || error === null) return next();
      next(isUndecodable(error, encoding) ? new MalformedJson(`The request body is not valid ${encoding} data`, { content_encoding: encoding }) : error);
    });
  };
}

function contentEncoding(req: Request): string {
  return (req.get('content-encoding') ?? 'identity').trim().toLowerCase() || 'identity';
}

export function hasBody(req: Request): boolean {
  return req.get('transfer-encoding') !== undefined || (req.get('content-length') ?? '0') !== '0';
}

/**
 * body-parser gives its own failures a `type` (too large, not JSON, charset); a zlib or brotli
 * failure of the decompression stream comes through untyped, as a 400.
 */
function isUndecodable(error: unknown, encoding: string): boolean {
  if (encoding === 'identity' || typeof error !== 'object' || error === null) return false;
  const { type, status } = error as { type?: unknown; status?: unknown };
  return type === undefined && status === 400;
}
