import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../src/infrastructure/config';

const load = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...env }, { projectRoot: '/tmp', version: 'test' });
const key = () => randomBytes(32).toString('base64');

function refusal(env: Record<string, string>): string {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('ENCRYPTION_KEYS / ENCRYPTION_ACTIVE_KEY / ENCRYPTION_KEY', () => {
  it('unset: files are stored in clear (no keyring)', () => {
    expect(load({}).fileEncryption.keyring).toBeNull();
  });

  it('a keyring with its active key', () => {
    const keyring = load({ ENCRYPTION_KEYS: `a:${key()},b:${key()}`, ENCRYPTION_ACTIVE_KEY: 'b' }).fileEncryption.keyring!;
    expect(keyring.toJSON()).toEqual({ active: 'b', ids: ['a', 'b'] });
  });

  it("the seed's single ENCRYPTION_KEY is a keyring of one", () => {
    expect(load({ ENCRYPTION_KEY: key() }).fileEncryption.keyring!.toJSON()).toEqual({ active: 'default', ids: ['default'] });
  });

  it.each([
    ['a key that is not 32 bytes', { ENCRYPTION_KEYS: `a:${randomBytes(16).toString('base64')}` }, 'ENCRYPTION_KEYS'],
    ['several keys without an active one', { ENCRYPTION_KEYS: `a:${key()},b:${key()}` }, 'ENCRYPTION_KEYS'],
    ['an active key outside the keyring', { ENCRYPTION_KEYS: `a:${key()}`, ENCRYPTION_ACTIVE_KEY: 'zz' }, 'ENCRYPTION_KEYS'],
    ['both forms at once', { ENCRYPTION_KEYS: `a:${key()}`, ENCRYPTION_KEY: key() }, 'ENCRYPTION_KEY'],
    ['an active key without a keyring', { ENCRYPTION_ACTIVE_KEY: 'a' }, 'ENCRYPTION_ACTIVE_KEY'],
    ['a bad single key', { ENCRYPTION_KEY: 'not-base64!' }, 'ENCRYPTION_KEY'],
  ])('%s: refused, naming the variable and never the value', (_label, env, variable) => {
    const message = refusal(env as Record<string, string>);
    expect(message).toContain(`${variable}:`);
    for (const value of Object.values(env)) {
      for (const part of value.split(/[,:]/).filter((p) => p.length >= 16)) expect(message).not.toContain(part);
    }
  });
});
