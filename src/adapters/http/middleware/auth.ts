import type { RequestHandler } from 'express';
import type { TokenVerifier } from '../../../application/ports/token-verifier.port';
import type { Role } from '../../../domain/auth/caller';
import { hasAtLeastRole } from '../../../domain/auth/caller';
import { Forbidden, Unauthenticated } from '../../../domain/shared/errors';
import { requestContext } from '../request-context';

// The scheme is case-insensitive (RFC 7235 §2.1): some clients send "bearer".
const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i;

/** Requires a valid bearer token and records the caller; 401 otherwise. */
export function authenticate(verifier: TokenVerifier): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    if (!header) return next(new Unauthenticated('Missing bearer token', { reason: 'missing_token' }));
    const match = BEARER.exec(header.trim());
    if (!match?.[1]) return next(new Unauthenticated('Authorization header must be "Bearer <token>"', { reason: 'malformed_header' }));
    try {
      const caller = await verifier.verify(match[1]);
      res.locals.caller = caller;
      const context = requestContext.getStore();
      if (context) {
        context.callerId = caller.userId;
        context.callerRole = caller.role;
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** 403 unless the authenticated caller holds at least `minimum`. */
export function requireRole(minimum: Role): RequestHandler {
  return (_req, res, next) => {
    const caller = res.locals.caller;
    if (!caller) return next(new Unauthenticated('Missing bearer token', { reason: 'missing_token' }));
    if (!hasAtLeastRole(caller, minimum)) {
      return next(new Forbidden(`This operation requires the ${minimum} role`, { required_role: minimum, role: caller.role }));
    }
    next();
  };
}
