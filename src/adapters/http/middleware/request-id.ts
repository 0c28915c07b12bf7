import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { requestContext } from '../request-context';

/** Ids from clients are echoed only when they are short and plain; anything else is replaced. */
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(): RequestHandler {
  return (req, res, next) => {
    const offered = req.get('x-request-id');
    const id = offered && ACCEPTABLE_ID.test(offered) ? offered : `req_${randomUUID()}`;
    res.locals.requestId = id;
    res.setHeader('X-Request-ID', id);
    const userAgent = req.get('user-agent')?.slice(0, 512);
    requestContext.run({ requestId: id, ...(req.ip ? { clientIp: req.ip } : {}), ...(userAgent ? { userAgent } : {}) }, next);
  };
}
