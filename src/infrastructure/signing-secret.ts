import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config';

/**
 * The secret that signs the service's download URLs. STORAGE_SIGNING_SECRET when set (recommended in
 * production). Otherwise derived from the JWT secret (a distinct key, so a download signature is never a
 * token signature) or, without one (JWKS), generated once and kept under DATA_DIR so URLs survive a
 * restart, as the development JWT secret is; instances that share STORAGE_DIR should then share DATA_DIR
 * or set the variable.
 */
export function resolveSigningSecret(config: Config): string {
  if (config.delivery.signingSecret) return config.delivery.signingSecret;
  if (config.auth.jwtSecret) return createHmac('sha256', config.auth.jwtSecret).update('visiobook storage download signatures').digest('base64url');
  const file = path.join(config.dataDir, 'storage-signing-secret');
  const kept = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
  if (kept.length >= 32) return kept;
  fs.mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  try {
    fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: kept ? 'w' : 'wx' });
    return secret;
  } catch {
    return fs.readFileSync(file, 'utf8').trim();
  }
}
