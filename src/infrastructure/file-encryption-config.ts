import { Keyring, KeyringFormatError } from '../domain/crypto/keyring';

export interface FileEncryptionEnv {
  ENCRYPTION_KEYS?: string;
  ENCRYPTION_ACTIVE_KEY?: string;
  ENCRYPTION_KEY?: string;
}

/**
 * The master keys files are encrypted with: ENCRYPTION_KEYS (`id:base64,...`) with ENCRYPTION_ACTIVE_KEY,
 * or the seed's single ENCRYPTION_KEY as a keyring of one (id `default`). Null when neither is set:
 * files are stored in clear. A problem names the variable and the faulty entry, never a key's value.
 */
export function fileKeyring(env: FileEncryptionEnv, problems: string[]): Keyring | null {
  const { ENCRYPTION_KEYS: keys, ENCRYPTION_ACTIVE_KEY: active, ENCRYPTION_KEY: single } = env;
  if (keys && single) {
    problems.push('ENCRYPTION_KEY: set either ENCRYPTION_KEYS (a keyring) or ENCRYPTION_KEY (a single key), not both');
    return null;
  }
  if (!keys && !single) {
    if (active) problems.push('ENCRYPTION_ACTIVE_KEY: names a key, but ENCRYPTION_KEYS is not set');
    return null;
  }
  const variable = keys ? 'ENCRYPTION_KEYS' : 'ENCRYPTION_KEY';
  try {
    return Keyring.parse((keys ?? single)!, active);
  } catch (error) {
    if (!(error instanceof KeyringFormatError)) throw error;
    problems.push(`${variable}: ${error.message}`);
    return null;
  }
}
