import { VerifiedTokenCache } from '../../src/adapters/jwt/verified-token-cache';
import type { TokenVerifier } from '../../src/application/ports/token-verifier.port';
import type { Caller } from '../../src/domain/auth/caller';
import { Unauthenticated } from '../../src/domain/shared/errors';

const caller: Caller = { userId: 'u', email: null, role: 'user', subscriptionType: null, permissions: [], tokenId: null };

/** A token whose payload says `exp` (seconds); the signature part is irrelevant to the cache. */
const tokenExpiringAt = (expSeconds: number, tag = 'a') =>
  `h.${Buffer.from(JSON.stringify({ exp: expSeconds, tag })).toString('base64url')}.s`;

function counting(result: () => Promise<Caller>): TokenVerifier & { calls: number } {
  const verifier = { calls: 0, verify: async () => (verifier.calls++, result()) };
  return verifier;
}

describe('VerifiedTokenCache', () => {
  let now = 1_000_000;
  const clock = () => now;

  it('verifies a token once, then answers from memory within a minute', async () => {
    const inner = counting(async () => caller);
    const cache = new VerifiedTokenCache(inner, clock);
    const token = tokenExpiringAt(now / 1000 + 3600);
    await cache.verify(token);
    now += 59_000;
    await expect(cache.verify(token)).resolves.toBe(caller);
    expect(inner.calls).toBe(1);
    now += 2_000;
    await cache.verify(token);
    expect(inner.calls).toBe(2);
  });

  it('never serves a token past its exp', async () => {
    let expired = false;
    const inner = counting(async () => {
      if (expired) throw new Unauthenticated('Token has expired');
      return caller;
    });
    const cache = new VerifiedTokenCache(inner, clock);
    const token = tokenExpiringAt(now / 1000 + 10);
    await cache.verify(token);
    now += 11_000;
    expired = true;
    await expect(cache.verify(token)).rejects.toBeInstanceOf(Unauthenticated);
  });

  it('does not remember failures', async () => {
    const inner = counting(async () => {
      throw new Unauthenticated('Token signature is invalid');
    });
    const cache = new VerifiedTokenCache(inner, clock);
    const token = tokenExpiringAt(now / 1000 + 3600);
    await expect(cache.verify(token)).rejects.toBeInstanceOf(Unauthenticated);
    await expect(cache.verify(token)).rejects.toBeInstanceOf(Unauthenticated);
    expect(inner.calls).toBe(2);
  });

  it('evicts the oldest entry when full', async () => {
    const inner = counting(async () => caller);
    const cache = new VerifiedTokenCache(inner, clock, 2);
    const [a, b, c] = ['a', 'b', 'c'].map((tag) => tokenExpiringAt(now / 1000 + 3600, tag));
    await cache.verify(a!);
    await cache.verify(b!);
    await cache.verify(c!);
    await cache.verify(b!);
    expect(inner.calls).toBe(3);
    await cache.verify(a!);
    expect(inner.calls).toBe(4);
  });
});
