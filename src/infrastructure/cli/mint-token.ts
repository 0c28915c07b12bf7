import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { ROLES, type Role } from '../../domain/auth/caller';
import { ConfigError, loadConfig } from '../config';
import { withDevelopmentSecret } from '../dev-secret';
import { findProjectRoot, readPackageVersion } from '../paths';
import { isUuid } from '../../domain/shared/uuid';

/**
 * `npm run token -- --sub <uuid> --role admin [--ttl 1h]`: prints an HS256 token the running service
 * accepts, signed with the same secret it uses (JWT_SECRET, or the development secret under DATA_DIR).
 */
const USAGE = 'usage: npm run token -- --sub <uuid> --role user|premium|admin [--ttl 1h] [--email a@b.c] [--permissions a:b:c,d:e:f]';

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

export function parseTtl(text: string): number {
  const match = /^(\d+)\s*(s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new Error(`--ttl: expected a duration such as 90s, 15m, 1h or 7d (got "${text}")`);
  const seconds: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
  return Number(match[1]) * (seconds[match[2] ?? 's'] ?? 1);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      role: { type: 'string', default: 'user' },
      ttl: { type: 'string', default: '1h' },
      email: { type: 'string' },
      permissions: { type: 'string', default: '' },
      subscription: { type: 'string' },
    },
  });
  const sub = values.sub ?? randomUUID();
  if (!isUuid(sub)) fail(`--sub: expected a UUID (got "${sub}")`);
  if (!ROLES.includes(values.role as Role)) fail(`--role: expected one of ${ROLES.join(', ')} (got "${values.role}")`);
  let ttl: number;
  try {
    ttl = parseTtl(values.ttl ?? '1h');
  } catch (error) {
    fail((error as Error).message);
  }

  const root = findProjectRoot(__dirname);
  let secret: string | undefined;
  try {
    const config = withDevelopmentSecret(loadConfig(process.env, { projectRoot: root, version: readPackageVersion(root) }));
    if (config.auth.jwksUrl && !process.env.JWT_SECRET) fail('JWKS_URL is set: tokens come from your identity provider, not from this command');
    secret = config.auth.jwtSecret;
  } catch (error) {
    fail(error instanceof ConfigError ? error.message : String(error));
  }
  if (!secret) fail('no JWT secret available');

  const now = Math.floor(Date.now() / 1000);
  const role = values.role as Role;
  const token = await new SignJWT({
    email: values.email ?? `${sub.slice(0, 8)}@example.com`,
    role,
    subscription_type: values.subscription ?? (role === 'user' ? 'free' : 'premium'),
    permissions: (values.permissions ?? '').split(',').map((p) => p.trim()).filter(Boolean),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .setJti(randomUUID())
    .sign(new TextEncoder().encode(secret));
  process.stdout.write(`${token}\n`);
}

if (require.main === module) void main();
