import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveSigningSecret } from '../../../src/infrastructure/signing-secret';
import type { Config } from '../../../src/infrastructure/config';

const configWith = (over: { signingSecret?: string; jwtSecret?: string; dataDir?: string }) =>
  ({
    env: 'development',
    dataDir: over.dataDir ?? '/nonexistent',
    auth: { jwtSecret: over.jwtSecret, jwksUrl: over.jwtSecret ? undefined : 'https://idp.example/jwks' },
    delivery: { signingSecret: over.signingSecret, signedUrlExpiresSeconds: 3600 },
  }) as unknown as Config;

describe('resolveSigningSecret', () => {
  it('uses STORAGE_SIGNING_SECRET when set', () => {
    expect(resolveSigningSecret(configWith({ signingSecret: 's'.repeat(40), jwtSecret: 'j'.repeat(40) }))).toBe('s'.repeat(40));
  });

  it('derives a distinct, stable key from the JWT secret', () => {
    const derived = resolveSigningSecret(configWith({ jwtSecret: 'j'.repeat(40) }));
    expect(derived).not.toBe('j'.repeat(40));
    expect(derived.length).toBeGreaterThanOrEqual(32);
    expect(resolveSigningSecret(configWith({ jwtSecret: 'j'.repeat(40) }))).toBe(derived);
  });

  it('without a JWT secret, generates one under DATA_DIR and keeps it', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-signing-'));
    try {
      const first = resolveSigningSecret(configWith({ dataDir }));
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(resolveSigningSecret(configWith({ dataDir }))).toBe(first);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
