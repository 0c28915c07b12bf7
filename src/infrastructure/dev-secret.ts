import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config';

/**
 * Outside production, a missing JWT_SECRET is generated once and kept under DATA_DIR, so tokens minted
 * with `npm run token` keep working across restarts. Production never gets here (config refuses it).
 */
export function withDevelopmentSecret(config: Config): Config {
  if (config.auth.jwtSecret || config.auth.jwksUrl) return config;
  if (config.env === 'production') throw new Error('JWT_SECRET or JWKS_URL is required in production');
  const file = path.join(config.dataDir, 'jwt-secret');
  let secret = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
  // A kept secret too short to be safe (an emptied file, say) is replaced, not trusted.
  if (secret.length < 32) {
    fs.rmSync(file, { force: true });
    fs.mkdirSync(config.dataDir, { recursive: true });
    secret = randomBytes(48).toString('base64url');
    // 'wx' fails if another process created it first; then read theirs.
    try {
      fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    } catch {
      secret = fs.readFileSync(file, 'utf8').trim();
    }
  }
  return { ...config, auth: { ...config.auth, jwtSecret: secret } };
}
