import { randomUUID } from 'node:crypto';
import { SignJWT, type JWTPayload, type KeyLike } from 'jose';
import type { Role } from '../../src/domain/auth/caller';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export interface TokenOptions {
  sub?: string;
  role?: Role;
  email?: string;
  ttlSeconds?: number;
  secret?: string;
  /** Merged last: overrides any claim, and `undefined` removes it (e.g. `{ exp: undefined }`). */
  extra?: Record<string, unknown>;
}

/** The claims of a token as the identity provider would mint it (001 "Structure du JWT Token"). */
export function standardClaims(options: TokenOptions = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: options.sub ?? randomUUID(),
    email: options.email ?? 'user@example.com',
    role: options.role ?? 'user',
    subscription_type: options.role === 'premium' ? 'premium' : 'free',
    permissions: [],
    iat: now,
    exp: now + (options.ttlSeconds ?? 3600),
    jti: randomUUID(),
    ...options.extra,
  };
}

/** An HS256 token signed with the test secret (or `options.secret`). */
export function aToken(options: TokenOptions = {}): Promise<string> {
  return new SignJWT(standardClaims(options))
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

/** A token signed with an asymmetric key, as an external identity provider publishing a JWKS would. */
export function anAsymmetricToken(key: KeyLike, header: { alg: 'RS256' | 'ES256'; kid: string }, options: TokenOptions = {}): Promise<string> {
  return new SignJWT(standardClaims(options)).setProtectedHeader({ ...header, typ: 'JWT' }).sign(key);
}

/** A token assembled by hand, with whatever header an attacker likes and no signature (`alg: none`). */
export function anUnsignedToken(header: Record<string, unknown> = { alg: 'none', typ: 'JWT' }, payload: JWTPayload = standardClaims()): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  return `${encode(header)}.${encode(payload)}.`;
}

export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}
