import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { TokenVerifier } from '../../src/application/ports/token-verifier.port';
import { Unauthenticated } from '../../src/domain/shared/errors';
import { anUnsignedToken, standardClaims, type TokenOptions } from '../support/tokens';

/** The issuer and audience every verifier under test is configured with. */
export const ISSUER = 'https://auth.visiobook.test';
export const AUDIENCE = 'data-platform';

export interface TokenVerifierUnderTest {
  /** Configured with ISSUER and AUDIENCE. */
  verifier: TokenVerifier;
  /** Signs as the trusted identity provider does: its algorithm, its key. */
  sign(claims: JWTPayload): Promise<string>;
  /** Signs alike (same algorithm, same header) with a key the verifier does not trust. */
  forge(claims: JWTPayload): Promise<string>;
  /** Signs with an algorithm the verifier does not accept, using what an attacker could know of its key. */
  signWithAnotherAlgorithm(claims: JWTPayload): Promise<string>;
  close(): Promise<void>;
}

/**
 * What every TokenVerifier promises, whatever its keys and whether it remembers tokens: a valid
 * token gives its caller; every bad one, every time it is presented, is the same Unauthenticated
 * with the same reason.
 */
export function tokenVerifierContract(name: string, make: () => Promise<TokenVerifierUnderTest>): void {
  describe(`${name} (TokenVerifier contract)`, () => {
    let s: TokenVerifierUnderTest;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(() => s.close());

    const claims = (options: TokenOptions = {}) => standardClaims({ ...options, extra: { iss: ISSUER, aud: AUDIENCE, ...options.extra } });
    /** The reason of the refusal, after checking the token is refused the same way when presented again. */
    const refusal = async (token: string): Promise<unknown> => {
      const reasons = [];
      for (let attempt = 0; attempt < 2; attempt++) {
        const error: unknown = await s.verifier.verify(token).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(Unauthenticated);
        reasons.push((error as Unauthenticated).details.reason);
      }
      expect(reasons[1]).toBe(reasons[0]);
      return reasons[0];
    };

    it('turns a valid token into the caller its claims name, every time it is presented', async () => {
      const sub = randomUUID();
      const token = await s.sign(claims({ sub, role: 'premium', email: 'p@example.com', extra: { permissions: ['data:read'], jti: 'tok-1' } }));
      const caller = { userId: sub, email: 'p@example.com', role: 'premium', subscriptionType: 'premium', permissions: ['data:read'], tokenId: 'tok-1' };
      await expect(s.verifier.verify(token)).resolves.toEqual(caller);
      await expect(s.verifier.verify(token)).resolves.toEqual(caller);
      const other = randomUUID();
      await expect(s.verifier.verify(await s.sign(claims({ sub: other, extra: { email: undefined, permissions: undefined, jti: undefined } })))).resolves.toEqual({
        userId: other,
        email: null,
        role: 'user',
        subscriptionType: 'free',
        permissions: [],
        tokenId: null,
      });
    });

    it('refuses an expired token', async () => {
      const now = Math.floor(Date.now() / 1000);
      expect(await refusal(await s.sign(claims({ extra: { iat: now - 7200, exp: now - 3600 } })))).toBe('expired');
    });

    it('refuses a token signed with a key it does not trust', async () => {
      expect(await refusal(await s.forge(claims()))).toBe('invalid_signature');
    });

    it('refuses an unsigned token (alg none) and one signed with an algorithm it does not accept', async () => {
      expect(await refusal(anUnsignedToken({ alg: 'none', typ: 'JWT' }, claims()))).toBe('algorithm_not_allowed');
      expect(await refusal(await s.signWithAnotherAlgorithm(claims()))).toBe('algorithm_not_allowed');
    });

    it.each([
      ['another issuer', { iss: 'https://evil.example' }],
      ['no issuer', { iss: undefined }],
      ['another audience', { aud: 'other-service' }],
      ['no expiry', { exp: undefined }],
      ['a subject that is not a user id', { sub: 'admin' }],
      ['an unknown role', { role: 'root' }],
    ])('refuses a token with %s', async (_case, extra) => {
      expect(await refusal(await s.sign(claims({ extra })))).toBe('invalid_claims');
    });

    it('refuses what is not a token', async () => {
      expect(await refusal('not-a-token')).toBe('malformed');
      expect(await refusal('')).toBe('malformed');
    });
  });
}
