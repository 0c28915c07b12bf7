import { ConfigError, loadConfig } from '../../src/infrastructure/config';
import { legacyKeyBytes } from '../../src/infrastructure/column-encryption-config';

const load = (env: Record<string, string>) => loadConfig(env, { projectRoot: '/srv/visiobook', version: 'test' });
const K1 = Buffer.alloc(32, 1).toString('base64');
const K2 = Buffer.alloc(32, 2).toString('base64');

function problemsOf(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the configuration to be refused');
}

describe('encrypted columns configuration', () => {
  it('is off without DB_ENCRYPTION_KEY, with the PII columns of users as the default set', () => {
    const { columnEncryption } = load({});
    expect(columnEncryption.keyring).toBeNull();
    expect(columnEncryption.columns.names).toEqual(['users.email', 'users.first_name', 'users.last_name']);
  });

  it('reads a keyring, its active key and the blind index key id', () => {
    const { columnEncryption } = load({ DB_ENCRYPTION_KEY: `k1:${K1},k2:${K2}`, DB_ENCRYPTION_ACTIVE_KEY: 'k2', DB_BLIND_INDEX_KEY_ID: 'k1' });
    expect(columnEncryption.keyring?.toJSON()).toEqual({ active: 'k2', ids: ['k1', 'k2'] });
    expect(columnEncryption).toMatchObject({ legacyKey: false, blindIndexKeyId: 'k1' });
  });

  it('takes a bare base64 key as a keyring of one named "default"', () => {
    const { columnEncryption } = load({ DB_ENCRYPTION_KEY: K1 });
    expect(columnEncryption.keyring?.toJSON()).toEqual({ active: 'default', ids: ['default'] });
    expect(columnEncryption.keyring?.key('default')).toEqual(Buffer.alloc(32, 1));
  });

  it('still accepts a legacy key of 32+ characters, as the key HKDF-SHA256 derives from it', () => {
    const legacy = 'a-long-passphrase-that-is-not-base64-at-all!';
    const { columnEncryption } = load({ DB_ENCRYPTION_KEY: legacy });
    expect(columnEncryption.legacyKey).toBe(true);
    expect(columnEncryption.keyring?.key('default')).toEqual(legacyKeyBytes(legacy));
    expect(legacyKeyBytes(legacy)).toHaveLength(32);
  });

  it('refuses bad keyrings naming the variable, never the key', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ DB_ENCRYPTION_KEY: `k1:${K1},k2:${K2}` }, /^DB_ENCRYPTION_ACTIVE_KEY: several keys/],
      [{ DB_ENCRYPTION_KEY: `k1:${K1}`, DB_ENCRYPTION_ACTIVE_KEY: 'k9' }, /^DB_ENCRYPTION_ACTIVE_KEY: the active key "k9"/],
      [{ DB_ENCRYPTION_KEY: `k1:${K1.slice(0, 20)}xxxxxxxxxxxxxx` }, /^DB_ENCRYPTION_KEY: key "k1" is not 32 bytes/],
      [{ DB_ENCRYPTION_KEY: `k1:${K1}`, DB_BLIND_INDEX_KEY_ID: 'k2' }, /^DB_BLIND_INDEX_KEY_ID: the key "k2" is not in DB_ENCRYPTION_KEY/],
      [{ DB_ENCRYPTION_ACTIVE_KEY: 'k1' }, /^DB_ENCRYPTION_ACTIVE_KEY: needs DB_ENCRYPTION_KEY/],
      [{ ENCRYPTED_COLUMNS: 'users' }, /^ENCRYPTED_COLUMNS: "users" is not table.column/],
      [{ ENCRYPTED_COLUMNS: 'users.email_bidx' }, /^ENCRYPTED_COLUMNS: .*blind index/],
    ];
    for (const [env, expected] of cases) {
      const problems = problemsOf(env);
      expect(problems).toEqual([expect.stringMatching(expected)]);
      expect(problems.join('\n')).not.toContain(K1.slice(0, 20));
    }
  });
});
