import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit, type Store } from 'express-rate-limit';
import type { Logger } from '../../../application/ports/logger.port';
import { RateLimited } from '../errors/http-errors';

export interface RateLimitPolicy {
  windowMs: number;
  anonymous: number;
  user: number;
  premium: number;
  admin: number;
}

/**
 * Per-caller limits by role (admin highest). `store` is shared through Redis when one is configured,
 * so every instance enforces one limit; the limiter lets requests through if that store fails,
 * because a Redis outage must degrade the service, not stop it.
 */
export function rateLimitByCaller(policy: RateLimitPolicy, store: Store | undefined, logger: Logger): RequestHandler {
  const limitFor = (res: Response) => (res.locals.caller ? policy[res.locals.caller.role] : policy.anonymous);
  return rateLimit({
    windowMs: policy.windowMs,
    limit: (_req, res) => limitFor(res),
    keyGenerator: (req: Request, res) =>
      res.locals.caller ? `user:${res.locals.caller.userId}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    passOnStoreError: true,
    // Its default is console.error with a stack, per request: multi-line text among the JSON log lines.
    logger: {
      error: (error, message) => logger.warn({ err: error }, message ?? 'rate limiter error'),
      warn: (error, message) => logger.warn({ err: error }, message ?? 'rate limiter warning'),
    },
    ...(store ? { store } : {}),
    handler: (req, res, next, options) => {
      const resetTime = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const retryAfter = Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + options.windowMs) - Date.now()) / 1000));
      res.setHeader('Retry-After', String(retryAfter));
      next(
        new RateLimited('Too many requests; retry later', {
          retry_after: retryAfter,
          limit: limitFor(res),
          window_seconds: Math.round(options.windowMs / 1000),
        }),
      );
    },
  });
}
