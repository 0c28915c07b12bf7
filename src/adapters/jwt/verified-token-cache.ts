import type { TokenVerifier } from '../../application/ports/token-verifier.port';
import type { Caller } from '../../domain/auth/caller';

interface Entry {
  caller: Caller;
  /** Epoch ms after which the entry must be verified again. */
  until: number;
}

/**
 * Remembers tokens already verified, so a client sending the same token on every request pays the
 * signature check once a minute instead of every time. An entry never outlives its token's `exp`,
 * and failures are never cached (a bad token is re-checked, and still refused, each time).
 */
export class VerifiedTokenCache implements TokenVerifier {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly inner: TokenVerifier,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
    private readonly maxAgeMs = 60_000,
  ) {}

  async verify(token: string): Promise<Caller> {
    const hit = this.entries.get(token);
    if (hit && hit.until > this.now()) return hit.caller;
    if (hit) this.entries.delete(token);
    const caller = await this.inner.verify(token);
    const expiresAt = expiryOf(token);
    const until = Math.min(this.now() + this.maxAgeMs, expiresAt ?? 0);
    if (until > this.now()) {
      // Maps iterate in insertion order: dropping the first key evicts the oldest entry.
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(token, { caller, until });
    }
    return caller;
  }
}

/** `exp` of an already verified token, in epoch ms. */
function expiryOf(token: string): number | null {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}
