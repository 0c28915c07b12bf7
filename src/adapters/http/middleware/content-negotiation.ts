import type { RequestHandler } from 'express';
import { NotAcceptable, UnsupportedMediaType } from '../errors/http-errors';

/** The vendor type of the seeds, accepted wherever application/json is. */
export const VENDOR_JSON = 'application/vnd.visiobook.v1+json';
export const JSON_TYPES = ['application/json', VENDOR_JSON];

/**
 * Refuses an Accept header that asks for another version of this API (406): a client written for v2
 * must not silently get v1 answers. Any other Accept is served (media routes answer video/mp4 to a
 * player that asks only for that); request bodies that are not JSON are refused per route (415).
 */
export function negotiateContent(): RequestHandler {
  return (req, _res, next) => {
    const accept = req.get('accept');
    if (accept && /application\/vnd\.visiobook\./i.test(accept) && !req.accepts([...JSON_TYPES, '*/*'])) {
      return next(new NotAcceptable('This service speaks version 1 of the API (application/vnd.visiobook.v1+json or application/json)', { accept }));
    }
    next();
  };
}

export function requireJsonBody(): RequestHandler {
  return (req, _res, next) => {
    const hasBody = (req.get('content-length') ?? '0') !== '0' || req.get('transfer-encoding') !== undefined;
    if (hasBody && !req.is(JSON_TYPES)) {
      return next(
        new UnsupportedMediaType('Request bodies must be JSON', {
          content_type: req.get('content-type') ?? null,
          supported: JSON_TYPES,
        }),
      );
    }
    next();
  };
}
