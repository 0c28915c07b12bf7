import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { InternalRequestExpired, InternalRequestReplayed, InternalSignatureInvalid } from '../errors/http-errors';

/**
 * Headers of a request forwarded between instances. `x-internal-origin` is also the hop header: a
 * request that carries it is never forwarded again.
 */
export const INTERNAL_HEADERS = {
  origin: 'x-internal-origin',
  timestamp: 'x-internal-timestamp',
  nonce: 'x-internal-nonce',
  signature: 'x-internal-signature',
  /** On every answer of an internal listener: which instance answered (another process may have taken a dead one's port). */
  answeredBy: 'x-internal-instance',
} as const;

/** How far a forwarded request's timestamp may be from the receiver's clock, either way. */
export const REPLAY_WINDOW_MS = 30_000;

export interface SignedRequest {
  method: string;
  /** Path and query string, as sent. */
  path: string;
  body: Buffer;
  /** The caller's own Authorization header, which the holder verifies itself. */
  authorization: string | undefined;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/**
 * HMAC-SHA256 over everything that decides what the request does: method, path, timestamp, nonce,
 * sending and receiving instance (a request signed for one instance is refused by every other),
 * the body's digest, and the caller's Authorization header's digest.
 */
function mac(secret: string, request: SignedRequest, timestamp: string, nonce: string, origin: string, target: string): Buffer {
  const canonical = ['vb-internal-v1', request.method.toUpperCase(), request.path, timestamp, nonce, origin, target, sha256(request.body), sha256(request.authorization ?? '')].join('\n');
  return createHmac('sha256', secret).update(canonical).digest();
}

/** The headers that authenticate `request` from instance `origin` to instance `target`. */
export function signInternalRequest(secret: string, request: SignedRequest, origin: string, target: string, now = Date.now()): Record<string, string> {
  const timestamp = String(now);
  const nonce = randomBytes(16).toString('hex');
  return {
    [INTERNAL_HEADERS.origin]: origin,
    [INTERNAL_HEADERS.timestamp]: timestamp,
    [INTERNAL_HEADERS.nonce]: nonce,
    [INTERNAL_HEADERS.signature]: mac(secret, request, timestamp, nonce, origin, target).toString('hex'),
  };
}

/**
 * Checks forwarded requests arriving at this instance: a valid signature for this instance, a
 * timestamp within REPLAY_WINDOW_MS, and a nonce not seen within the window (kept in memory: a
 * replay must also come within the window, and only this instance accepts a request signed for it).
 */
export class InternalRequestVerifier {
  /** Nonce -> when it may be forgotten; insertion order is arrival order, so pruning stops at the first live one. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly secret: string,
    private readonly selfId: string,
    private readonly now: () => number = Date.now,
  ) {}

  verify(request: SignedRequest, headers: IncomingHttpHeaders): void {
    const origin = single(headers[INTERNAL_HEADERS.origin]);
    const timestamp = single(headers[INTERNAL_HEADERS.timestamp]);
    const nonce = single(headers[INTERNAL_HEADERS.nonce]);
    const signature = single(headers[INTERNAL_HEADERS.signature]);
    if (!origin || !timestamp || !nonce || !signature || !/^\d{1,16}$/.test(timestamp) || !/^[0-9a-f]{64}$/.test(signature) || !/^[0-9a-f]{32}$/.test(nonce)) {
      throw new InternalSignatureInvalid('This listener serves only requests forwarded between service instances, signed with INTERNAL_SECRET');
    }
    const now = this.now();
    const skewMs = Math.abs(now - Number(timestamp));
    if (skewMs > REPLAY_WINDOW_MS) {
      throw new InternalRequestExpired('The forwarded request is outside the replay window', { replay_window_ms: REPLAY_WINDOW_MS });
    }
    const expected = mac(this.secret, request, timestamp, nonce, origin, this.selfId);
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
      throw new InternalSignatureInvalid('The forwarded request is not signed with this service\'s INTERNAL_SECRET for this instance');
    }
    this.prune(now);
    if (this.seen.has(nonce)) throw new InternalRequestReplayed('This forwarded request was already received');
    this.seen.set(nonce, now + 2 * REPLAY_WINDOW_MS);
  }

  private prune(now: number): void {
    for (const [nonce, until] of this.seen) {
      if (until > now) break;
      this.seen.delete(nonce);
    }
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}
