import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { Logger } from '../../../application/ports/logger.port';
import type { Role } from '../../../domain/auth/caller';
import type { RateLimitCounter } from '../../../application/ports/rate-limit-counter.port';
import { RateLimited } from '../errors/http-errors';
import { BatchedRateLimiter, type RateLimitDecision } from './batched-rate-limiter';

export interface RateLimitPolicy {
  windowMs: number;
  anonymous: number;
  user: number;
  premium: number;
  admin: number;
  /** The most requests of one caller a process reserves from the shared counter at once (RATE_LIMIT_BATCH). */
  batch?: number;
}

/** Failures of the shared counter are logged at most this often: an outage is one line a second, not one per request. */
const FAILURE_LOG_EVERY_MS = 1_000;

/**
 * Per-caller limits by role (admin highest), one fixed window per caller. `counter` is shared
 * through Redis when one is configured, so every process and instance enforces one limit; each
 * process reserves requests from it in batches (BatchedRateLimiter), so most requests cost no round
 * trip. The limiter lets requests through if the counter fails, because a Redis outage must degrade
 * the service, not stop it. Headers: IETF draft-7 `RateLimit` and `RateLimit-Policy`.
 */
export function rateLimitByCaller(policy: RateLimitPolicy, counter: RateLimitCounter, logger: Logger): RequestHandler {
  const limiter = new BatchedRateLimiter(counter, policy.windowMs, policy.batch ?? 1);
  const windowSeconds = Math.ceil(policy.windowMs / 1000);
  const limitFor = (res: Response) => (res.locals.caller ? policy[res.locals.caller.role as Role] : policy.anonymous);
  const keyOf = (req: Request, res: Response) => (res.locals.caller ? `user:${res.locals.caller.userId}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`);
  let lastFailureLog = Number.NEGATIVE_INFINITY;

  const decide = (res: Response, decision: RateLimitDecision, next: (error?: unknown) => void) => {
    const resetSeconds = Math.max(0, Math.ceil((decision.resetAt - Date.now()) / 1000));
    res.setHeader('RateLimit-Policy', `${decision.limit};w=${windowSeconds}`);
    res.setHeader('RateLimit', `limit=${decision.limit}, remaining=${decision.remaining}, reset=${resetSeconds}`);
    if (decision.allowed) return next();
    const retryAfter = Math.max(1, resetSeconds);
    res.setHeader('Retry-After', String(retryAfter));
    next(new RateLimited('Too many requests; retry later', { retry_after: retryAfter, limit: decision.limit, window_seconds: Math.round(policy.windowMs / 1000) }));
  };

  return (req, res, next) => {
    limiter.take(keyOf(req, res), limitFor(res)).then(
      (decision) => decide(res, decision, next),
      (error: unknown) => {
        const now = Date.now();
        if (now - lastFailureLog >= FAILURE_LOG_EVERY_MS) {
          lastFailureLog = now;
          logger.warn({ err: error instanceof Error ? { message: error.message } : String(error) }, 'rate limit counter unavailable: allowing request without rate-limiting');
        }
        next();
      },
    );
  };
}
