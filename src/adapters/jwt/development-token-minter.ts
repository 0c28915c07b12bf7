import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

/** Fixed ids, so the development user finds its files again after every sign-in. */
export const DEVELOPMENT_USERS = {
  user: '00000000-0000-4000-8000-00000000d001',
  admin: '00000000-0000-4000-8000-00000000d0ad',
} as const;

export interface DevelopmentTokenOptions {
  secret: string;
  issuer?: string | undefined;
  audience?: string | undefined;
  ttlSeconds?: number;
}

/**
 * HS256 tokens for the development user and admin, signed as `npm run token` signs them (the
 * service's own secret, plus the issuer and audience it checks). Only wired outside production.
 */
export function developmentTokenMinter(options: DevelopmentTokenOptions) {
  const key = new TextEncoder().encode(options.secret);
  const ttl = options.ttlSeconds ?? 8 * 3600;
  return async (role: 'user' | 'admin') => {
    const userId = DEVELOPMENT_USERS[role];
    const now = Math.floor(Date.now() / 1000);
    let jwt = new SignJWT({ email: `dev-${role}@example.com`, role, subscription_type: role === 'admin' ? 'premium' : 'free', permissions: [] })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuedAt(now)
      .setExpirationTime(now + ttl)
      .setJti(randomUUID());
    if (options.issuer) jwt = jwt.setIssuer(options.issuer);
    if (options.audience) jwt = jwt.setAudience(options.audience);
    return { token: await jwt.sign(key), expiresIn: ttl, userId };
  };
}
