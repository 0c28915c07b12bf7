import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../../../application/ports/logger.port';
import { mapError } from '../error-mapper';
import { MalformedJson, PayloadTooLarge, RouteNotFound } from '../errors/http-errors';
import { markForwarded } from './forwarded-mark';
import { INTERNAL_HEADERS, type InternalRequestVerifier } from './internal-signature';

/** What other instances forward: the requests that name a lease, and nothing else. */
const LEASE_ROUTES = [/^\/api\/v1\/connections\/release$/, /^\/api\/v1\/connections\/[^/]+\/(?:begin|commit|rollback)$/, /^\/api\/v1\/data\/(?:query|transaction)$/];
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface InternalListenerOptions {
  /** This process's instance id, stated on every answer. */
  selfId: string;
  serviceName: string;
  bodyLimitBytes: number;
}

/**
 * The request handler of the internal listener: accepts only lease requests signed by another
 * instance (InternalRequestVerifier), then hands them to the same app as public requests, marked as
 * forwarded, so the holder authenticates the caller's token, checks the lease is theirs, rate-limits
 * and audits exactly as if the caller had come here directly.
 */
export class InternalListener {
  private app: RequestListener | undefined;

  constructor(
    private readonly verifier: InternalRequestVerifier,
    private readonly options: InternalListenerOptions,
    private readonly logger: Logger,
  ) {}

  /** The app that serves accepted requests (built after this listener, which the app's wiring needs). */
  serve(app: RequestListener): void {
    this.app = app;
  }

  readonly handle: RequestListener = (req, res) => {
    void this.receive(req, res);
  };

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const offered = req.headers['x-request-id'];
    const requestId = typeof offered === 'string' && ACCEPTABLE_ID.test(offered) ? offered : `req_${randomUUID()}`;
    res.setHeader(INTERNAL_HEADERS.answeredBy, this.options.selfId);
    try {
      const path = req.url ?? '/';
      const pathname = path.split('?')[0] ?? '';
      if (req.method !== 'POST' || !LEASE_ROUTES.some((route) => route.test(pathname)) || !this.app) {
        throw new RouteNotFound('The internal listener serves only connection lease requests forwarded by another instance', { method: req.method, path: pathname });
      }
      const body = await readBody(req, this.options.bodyLimitBytes);
      this.verifier.verify({ method: req.method, path, body, authorization: req.headers.authorization }, req.headers);
      if (body.length > 0) Object.assign(req, { body: parseJson(body) });
      markForwarded(req);
      this.app(req, res);
    } catch (error) {
      const mapped = mapError(error, requestId, this.options.serviceName);
      if (mapped.unexpected) this.logger.error({ err: error, request_id: requestId }, 'internal listener failed');
      else this.logger.warn({ code: mapped.body.error.code, request_id: requestId, origin: req.headers['x-internal-origin'] }, 'internal request refused');
      if (res.headersSent) return void res.destroy();
      res.writeHead(mapped.status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Request-ID': requestId });
      res.end(JSON.stringify(mapped.body));
    }
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.destroy();
        reject(new PayloadTooLarge('The forwarded body exceeds BODY_LIMIT', { limit_bytes: limit }));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new MalformedJson('The forwarded body is not JSON');
  }
}
