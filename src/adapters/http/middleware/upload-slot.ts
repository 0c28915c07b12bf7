import type { RequestHandler } from 'express';
import type { Logger } from '../../../application/ports/logger.port';
import type { UploadSlots } from '../../../application/ports/upload-slots.port';
import { UploadLimitExceeded } from '../errors/http-errors';

/** Uploads last seconds to minutes: a client told to come back after this has a fair chance of a free slot. */
const RETRY_AFTER_SECONDS = 5;

/**
 * MAX_CONCURRENT_UPLOADS (002) on the routes that receive upload bodies: a slot is taken before the
 * body is read and given back when the response is over (sent, failed or the client gone). Over the
 * limit, 429 UPLOAD_LIMIT_EXCEEDED without reading the body. If the shared count cannot be reached
 * (Redis down) the upload goes through: an outage degrades the limit, not uploads.
 */
export function limitUploadsInFlight(slots: UploadSlots, limit: number, logger: Logger): RequestHandler {
  return (req, res, next) => {
    const caller = res.locals.caller;
    if (!caller) return next();
    slots.tryAcquire(caller.userId, limit).then(
      (slot) => {
        if (!slot) {
          // The body is not read: closing after the answer stops the client sending it.
          if (req.headers['content-length'] !== '0') res.setHeader('Connection', 'close');
          next(new UploadLimitExceeded(`At most ${limit} uploads may be in flight at once; retry when one has finished`, { limit, retry_after: RETRY_AFTER_SECONDS }));
          return;
        }
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          void slot.release();
        };
        res.once('finish', release);
        res.once('close', release);
        next();
      },
      (error: unknown) => {
        logger.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, 'upload slots unavailable; upload let through without the concurrency limit');
        next();
      },
    );
  };
}
