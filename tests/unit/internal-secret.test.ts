import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/infrastructure/config';
import { resolveInternalSecret } from '../../src/infrastructure/internal-secret';

const config = (env: Record<string, string>) => loadConfig(env, { projectRoot: '/srv/visiobook', version: '1.0.0' });

describe('the secret that signs requests forwarded between instances', () => {
  it('is INTERNAL_SECRET when set', () => {
    expect(resolveInternalSecret(config({ INTERNAL_SECRET: 'i'.repeat(40), JWT_SECRET: 'j'.repeat(40) }))).toBe('i'.repeat(40));
  });

  it('is otherwise derived from JWT_SECRET: the same on every process that shares it, and never the JWT secret itself', () => {
    const derived = resolveInternalSecret(config({ JWT_SECRET: 'j'.repeat(40) }));
    expect(derived).toBe(resolveInternalSecret(config({ JWT_SECRET: 'j'.repeat(40) })));
    expect(derived).not.toBe('j'.repeat(40));
    expect(derived).not.toBe(resolveInternalSecret(config({ JWT_SECRET: 'k'.repeat(40) })));
  });

  it('without a JWT secret (JWKS), is generated once and kept under DATA_DIR (mode 0600)', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-internal-secret-'));
    try {
      const env = { JWKS_URL: 'https://idp.example/jwks.json', DATA_DIR: dataDir };
      const first = resolveInternalSecret(config(env));
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(resolveInternalSecret(config(env))).toBe(first);
      expect(fs.statSync(path.join(dataDir, 'internal-secret')).mode & 0o777).toBe(0o600);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
