import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/infrastructure/config';
import { withDevelopmentSecret } from '../../src/infrastructure/dev-secret';

/** Outside production, a missing JWT_SECRET is generated once under DATA_DIR and kept. */
describe('withDevelopmentSecret', () => {
  let dataDir: string;
  const configWith = (env: Record<string, string> = {}): Config =>
    loadConfig({ DATA_DIR: dataDir, ...env }, { projectRoot: '/unused', version: 'test' });

  beforeEach(() => {
    // A folder that does not exist yet: the first call creates it.
    dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vb-dev-secret-')), 'data');
  });
  afterEach(() => fs.rmSync(path.dirname(dataDir), { recursive: true, force: true }));

  it('generates a strong secret once, in a file only the owner can read', () => {
    const config = withDevelopmentSecret(configWith());
    const file = path.join(dataDir, 'jwt-secret');
    expect(config.auth.jwtSecret).toEqual(expect.any(String));
    expect(config.auth.jwtSecret!.length).toBeGreaterThanOrEqual(32);
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(config.auth.jwtSecret);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('reuses the stored secret on the next start', () => {
    const first = withDevelopmentSecret(configWith()).auth.jwtSecret;
    const second = withDevelopmentSecret(configWith()).auth.jwtSecret;
    expect(second).toBe(first);
  });

  it('replaces a kept secret that is empty or too short instead of trusting it', () => {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'jwt-secret'), '\n');
    const secret = withDevelopmentSecret(configWith()).auth.jwtSecret!;
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(fs.readFileSync(path.join(dataDir, 'jwt-secret'), 'utf8').trim()).toBe(secret);
  });

  it('gives a different secret to another data folder', () => {
    const first = withDevelopmentSecret(configWith()).auth.jwtSecret;
    fs.rmSync(dataDir, { recursive: true });
    expect(withDevelopmentSecret(configWith()).auth.jwtSecret).not.toBe(first);
  });

  it('leaves a configured JWT_SECRET or JWKS_URL alone and writes nothing', () => {
    expect(withDevelopmentSecret(configWith({ JWT_SECRET: 'configured' })).auth.jwtSecret).toBe('configured');
    expect(withDevelopmentSecret(configWith({ JWKS_URL: 'https://idp.example/jwks' })).auth.jwtSecret).toBeUndefined();
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('refuses to invent a secret in production', () => {
    const production: Config = { ...configWith(), env: 'production' };
    expect(() => withDevelopmentSecret(production)).toThrow(/JWT_SECRET or JWKS_URL is required in production/);
    expect(fs.existsSync(dataDir)).toBe(false);
  });
});
