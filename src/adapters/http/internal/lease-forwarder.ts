import http, { type IncomingHttpHeaders } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import type { LeaseLocation, LocateLease } from '../../../application/database/leases/locate-lease';
import { LeaseLost } from '../../../domain/database/lease';
import { isForwarded } from './forwarded-mark';
import { INTERNAL_HEADERS, signInternalRequest } from './internal-signature';

/** What a route gives to say which lease a request names (body or path), if any. */
export type LeaseIdOf = (request: { body: unknown; params: Record<string, string> }) => unknown;

export interface LeaseForwarderOptions {
  /** This process's instance id: the origin of what it forwards. */
  selfId: string;
  secret: string;
  /** How long to wait for the holder's answer (0: no bound); its statements have their own timeout. */
  answerTimeoutMs: number;
}

/** A holder that does not accept the connection within this is taken as gone. */
const CONNECT_TIMEOUT_MS = 3_000;
/** Request headers the holder needs to serve the request as its caller sent it. */
const PASSED_ON = ['authorization', 'accept', 'accept-language', 'user-agent', 'idempotency-key'];
/** Response headers that describe this hop's connection, not the answer. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date', 'x-request-id', 'proxy-connection', 'upgrade', 'trailer', 'te', INTERNAL_HEADERS.answeredBy]);

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

type ExchangeError = Error & { code?: string; reached?: boolean; reused?: boolean };

/**
 * Sends the requests of leases held by other instances to the holder's internal listener, signed
 * (HMAC of INTERNAL_SECRET) and carrying the caller's own Authorization, and answers with what the
 * holder answered. A holder that cannot be reached is gone: 410 LEASE_LOST.
 */
export class LeaseForwarder {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 30_000 });

  constructor(
    private readonly locate: LocateLease,
    private readonly options: LeaseForwarderOptions,
  ) {}

  /** Put before the handler of a route that names a lease: forwards, or lets this instance serve it. */
  guard(leaseIdOf: LeaseIdOf): RequestHandler {
    return (req, res, next) => {
      // The hop header: forwarded once at most, so a misrouted request cannot loop.
      if (isForwarded(req) || req.get(INTERNAL_HEADERS.origin) !== undefined) return next();
      const id = leaseIdOf({ body: req.body, params: req.params as Record<string, string> });
      if (typeof id !== 'string') return next();
      this.locate
        .execute(id)
        .then((where) => (where.kind === 'here' ? next() : this.forward(req, res, id, where)))
        .catch(next);
    };
  }

  close(): void {
    this.agent.destroy();
  }

  private async forward(req: Request, res: Response, connectionId: string, where: Extract<LeaseLocation, { kind: 'elsewhere' }>): Promise<void> {
    const body = req.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(req.body));
    const path = req.originalUrl;
    const headers: Record<string, string> = {
      'content-length': String(body.length),
      'x-request-id': String(res.locals.requestId ?? ''),
      ...(req.ip ? { 'x-forwarded-for': req.ip } : {}),
      ...signInternalRequest(this.options.secret, { method: req.method, path, body, authorization: req.get('authorization') }, this.options.selfId, where.instanceId),
    };
    if (body.length > 0) headers['content-type'] = 'application/json';
    for (const name of PASSED_ON) {
      const value = req.get(name);
      if (value !== undefined) headers[name] = value;
    }
    const url = new URL(path, `${where.internalUrl}/`);
    let answer: Answer;
    try {
      answer = await this.exchange(url, req.method, headers, body).catch((error: ExchangeError) => {
        // Most likely a kept-alive connection the holder had just closed, which the request never
        // reached; should the retry fail too, whether it had reached the holder stays unknown.
        if (error.reused && error.code === 'ECONNRESET') {
          return this.exchange(url, req.method, headers, body).catch((again: ExchangeError) => {
            throw Object.assign(again, { reached: true });
          });
        }
        throw error;
      });
    } catch (error) {
      this.locate.forget(where.instanceId);
      throw new LeaseLost(connectionId, (error as ExchangeError).reached === true);
    }
    // Another process now at the dead holder's address refused the request (signed for the holder only).
    if (answer.headers[INTERNAL_HEADERS.answeredBy] !== where.instanceId) {
      this.locate.forget(where.instanceId);
      throw new LeaseLost(connectionId);
    }
    res.status(answer.status);
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) res.setHeader(name, value);
    }
    res.end(answer.body);
  }

  private exchange(url: URL, method: string, headers: Record<string, string>, body: Buffer): Promise<Answer> {
    return new Promise((resolve, reject) => {
      let reached = false;
      const request = http.request(url, { method, headers, agent: this.agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }));
        response.on('error', (error: ExchangeError) => reject(Object.assign(error, { reached: true })));
      });
      request.on('socket', (socket) => {
        if (!socket.connecting) {
          reached = true;
          return;
        }
        const timer = setTimeout(() => request.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })), CONNECT_TIMEOUT_MS);
        socket.once('connect', () => {
          clearTimeout(timer);
          reached = true;
        });
        socket.once('close', () => clearTimeout(timer));
      });
      if (this.options.answerTimeoutMs > 0) {
        request.setTimeout(this.options.answerTimeoutMs, () => request.destroy(Object.assign(new Error('no answer in time'), { code: 'ETIMEDOUT' })));
      }
      request.on('error', (error: ExchangeError) => reject(Object.assign(error, { reached: error.reached ?? reached, reused: request.reusedSocket })));
      request.end(body);
    });
  }
}
