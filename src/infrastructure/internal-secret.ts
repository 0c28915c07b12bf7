import { createHmac, randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Config } from './config';
import { keptSecret } from './kept-secret';

/**
 * The key that signs lease requests forwarded between instances. INTERNAL_SECRET when set (config
 * requires it in production once forwarding spans machines or workers). Otherwise derived from the
 * JWT secret, which every instance able to serve the same callers already shares (a distinct key, so
 * an internal signature is never a token signature); without one (JWKS), generated once and kept
 * under DATA_DIR as the development JWT secret is, shared by the processes using that DATA_DIR.
 */
export function resolveInternalSecret(config: Config): string {
  if (config.internal.secret) return config.internal.secret;
  if (config.auth.jwtSecret) return createHmac('sha256', config.auth.jwtSecret).update('visiobook internal lease forwarding').digest('base64url');
  return keptSecret(path.join(config.dataDir, 'internal-secret'), () => randomBytes(48).toString('base64url'), (value) => value.length >= 32);
}
