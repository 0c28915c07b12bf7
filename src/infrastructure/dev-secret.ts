import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Config } from './config';
import { keptSecret } from './kept-secret';

/**
 * Outside production, a missing JWT_SECRET is generated once and kept under DATA_DIR, so tokens minted
 * with `npm run token` keep working across restarts. Production never gets here (config refuses it).
 */
export function withDevelopmentSecret(config: Config): Config {
  if (config.auth.jwtSecret || config.auth.jwksUrl) return config;
  if (config.env === 'production') throw new Error('JWT_SECRET or JWKS_URL is required in production');
  // A kept secret too short to be safe is replaced, not trusted.
  const secret = keptSecret(path.join(config.dataDir, 'jwt-secret'), () => randomBytes(48).toString('base64url'), (value) => value.length >= 32);
  return { ...config, auth: { ...config.auth, jwtSecret: secret } };
}
