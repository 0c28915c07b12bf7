import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import type { TokenVerifier } from '../../application/ports/token-verifier.port';
import { ROLES, type Caller } from '../../domain/auth/caller';
import { IdentityProviderUnavailable, Unauthenticated } from '../../domain/shared/errors';

export type KeySource =
  | { kind: 'secret'; secret: string }
  /** An external identity provider's published keys (RS256 / ES256). */
  | { kind: 'jwks'; url: string };

export interface VerifierOptions {
  keys: KeySource;
  issuer?: string;
  audience?: string;
  clockToleranceSeconds?: number;
}

/** The claims of 001 "Structure du JWT Token"; `sub` is a user id, hence a UUID. */
const ClaimsSchema = z.object({
  sub: z.uuid({ message: 'sub must be a user UUID' }),
  email: z.email().optional(),
  role: z.enum(ROLES, { message: `role must be one of ${ROLES.join(', ')}` }),
  subscription_type: z.string().optional(),
  permissions: z.array(z.string()).optional(),
  iat: z.number().optional(),
  exp: z.number({ message: 'exp is required' }),
  jti: z.string().optional(),
});

/**
 * Verifies bearer JWTs with jose. The accepted algorithms are pinned per key source, so `alg: none`
 * and algorithm-confusion tokens (HS256 signed with a public key) are rejected before any claim is read.
 */
export class JoseTokenVerifier implements TokenVerifier {
  private readonly key: Uint8Array | JWTVerifyGetKey;
  private readonly algorithms: string[];

  constructor(private readonly options: VerifierOptions) {
    if (options.keys.kind === 'secret') {
      this.key = new TextEncoder().encode(options.keys.secret);
      this.algorithms = ['HS256'];
    } else {
      this.key = keysFetchedFrom(createRemoteJWKSet(new URL(options.keys.url), { timeoutDuration: 5_000, cooldownDuration: 30_000 }));
      this.algorithms = ['RS256', 'ES256'];
    }
  }

  async verify(token: string): Promise<Caller> {
    let payload: JWTPayload;
    try {
      const result = await jwtVerify(token, this.key as Uint8Array, {
        algorithms: this.algorithms,
        clockTolerance: this.options.clockToleranceSeconds ?? 5,
        ...(this.options.issuer ? { issuer: this.options.issuer } : {}),
        ...(this.options.audience ? { audience: this.options.audience } : {}),
      });
      payload = result.payload;
    } catch (error) {
      throw translate(error);
    }
    const claims = ClaimsSchema.safeParse(payload);
    if (!claims.success) {
      throw new Unauthenticated('Token claims are invalid', {
        reason: 'invalid_claims',
        claims: claims.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      });
    }
    const c = claims.data;
    // jose checks iat only against a maximum token age; a token claiming to be issued later than now
    // (beyond the clock tolerance) is forged or minted by a clock nobody should trust.
    const toleranceSeconds = this.options.clockToleranceSeconds ?? 5;
    if (c.iat !== undefined && c.iat > Date.now() / 1000 + toleranceSeconds) {
      throw new Unauthenticated('Token is issued in the future', { reason: 'issued_in_future' });
    }
    return {
      userId: c.sub,
      email: c.email ?? null,
      role: c.role,
      subscriptionType: c.subscription_type ?? null,
      permissions: c.permissions ?? [],
      tokenId: c.jti ?? null,
    };
  }
}

/**
 * The provider's key set, with failures to fetch it told apart from bad tokens: an unreachable or
 * broken JWKS endpoint throws a plain socket error or a generic JOSE error, which read as "malformed".
 */
function keysFetchedFrom(remote: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      throw new IdentityProviderUnavailable('Signing keys could not be fetched from the identity provider', { reason: 'keys_unavailable' });
    }
  };
}

function translate(error: unknown): Unauthenticated | IdentityProviderUnavailable {
  if (error instanceof Unauthenticated || error instanceof IdentityProviderUnavailable) return error;
  if (error instanceof errors.JWTExpired) return new Unauthenticated('Token has expired', { reason: 'expired' });
  if (error instanceof errors.JOSEAlgNotAllowed) return new Unauthenticated('Token algorithm is not accepted', { reason: 'algorithm_not_allowed' });
  if (error instanceof errors.JWSSignatureVerificationFailed) return new Unauthenticated('Token signature is invalid', { reason: 'invalid_signature' });
  if (error instanceof errors.JWTClaimValidationFailed) return new Unauthenticated(`Token claim "${error.claim}" is invalid`, { reason: 'invalid_claims' });
  if (error instanceof errors.JWKSNoMatchingKey) return new Unauthenticated('No published key matches the token', { reason: 'unknown_key' });
  return new Unauthenticated('Token is malformed', { reason: 'malformed' });
}
