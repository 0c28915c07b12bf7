import type { RequestHandler } from 'express';
import { ValidationFailed } from '../../../domain/shared/errors';
import { findUnstorable } from '../storable-input';

/** A NUL percent-encoded anywhere in the path: a path parameter would decode to it. */
const ENCODED_NUL = /%00/i;

/**
 * One check over every request's text before any route sees it: the path, the query string and the
 * parsed JSON body must hold no NUL, no lone surrogate, and nest at most MAX_JSON_DEPTH levels.
 * Routes then never hand PostgreSQL a value it refuses (a 500 otherwise) or a value deep enough to
 * overflow the stack of whatever walks it. Multipart metadata and tus headers are checked where they
 * are parsed (storage-upload.routes.ts, tus-metadata.ts).
 */
export function rejectUnstorableInput(): RequestHandler {
  return (req, _res, next) => {
    if (ENCODED_NUL.test(req.path)) {
      return next(new ValidationFailed('The path holds a NUL character (%00)', [{ path: 'path', message: 'contains a NUL character (U+0000)' }]));
    }
    const issue = findUnstorable(req.query, 'query') ?? (req.body === undefined ? null : findUnstorable(req.body, 'body'));
    if (issue) return next(new ValidationFailed(`Invalid input at ${issue.path}: ${issue.message}`, [issue]));
    next();
  };
}
