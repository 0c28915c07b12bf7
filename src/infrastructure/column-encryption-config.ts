import { hkdfSync } from 'node:crypto';
import { z } from 'zod';
import { Keyring, KeyringFormatError } from '../domain/crypto/keyring';
import { EncryptedColumnsPolicy } from '../domain/database/encrypted-columns';
import { optionalText } from './env-fields';

/**
 * The encrypted-columns part of config.ts. DB_ENCRYPTION_KEY (validated in config.ts) is a keyring
 * (`id:base64-32-bytes,...`, or one bare base64 key); DB_ENCRYPTION_ACTIVE_KEY names the key new
 * values are written with; ENCRYPTED_COLUMNS the columns; DB_BLIND_INDEX_KEY_ID the key the blind
 * index key is derived from (default: the keyring's first key).
 */

export const DEFAULT_ENCRYPTED_COLUMNS = 'users.email,users.first_name,users.last_name';

export const columnEncryptionEnv = {
  DB_ENCRYPTION_ACTIVE_KEY: optionalText,
  DB_BLIND_INDEX_KEY_ID: optionalText,
  ENCRYPTED_COLUMNS: z.string().trim().default(DEFAULT_ENCRYPTED_COLUMNS),
};

export interface ColumnEncryptionConfig {
  /** Null: DB_ENCRYPTION_KEY unset, columns are stored as sent (as before). */
  keyring: Keyring | null;
  /** The key was the legacy form (any 32+ characters), turned into one key by HKDF. */
  legacyKey: boolean;
  columns: EncryptedColumnsPolicy;
  blindIndexKeyId: string | undefined;
}

interface ColumnEncryptionEnv {
  DB_ENCRYPTION_KEY?: string;
  DB_ENCRYPTION_ACTIVE_KEY?: string;
  DB_BLIND_INDEX_KEY_ID?: string;
  ENCRYPTED_COLUMNS: string;
}

/** Problems are pushed (naming the variable, never a key); the result is then not used. */
export function columnEncryptionConfig(e: ColumnEncryptionEnv, problems: string[]): ColumnEncryptionConfig {
  let columns = EncryptedColumnsPolicy.parse('');
  try {
    columns = EncryptedColumnsPolicy.parse(e.ENCRYPTED_COLUMNS);
  } catch (error) {
    problems.push(`ENCRYPTED_COLUMNS: ${(error as Error).message}`);
  }
  const none: ColumnEncryptionConfig = { keyring: null, legacyKey: false, columns, blindIndexKeyId: undefined };
  if (!e.DB_ENCRYPTION_KEY) {
    for (const name of ['DB_ENCRYPTION_ACTIVE_KEY', 'DB_BLIND_INDEX_KEY_ID'] as const) {
      if (e[name]) problems.push(`${name}: needs DB_ENCRYPTION_KEY as well`);
    }
    return none;
  }
  let keyring: Keyring;
  let legacyKey = false;
  if (!isLegacyKey(e.DB_ENCRYPTION_KEY)) {
    try {
      keyring = Keyring.parse(e.DB_ENCRYPTION_KEY, e.DB_ENCRYPTION_ACTIVE_KEY);
    } catch (error) {
      if (!(error instanceof KeyringFormatError)) throw error;
      const name = /active/.test(error.message) ? 'DB_ENCRYPTION_ACTIVE_KEY' : 'DB_ENCRYPTION_KEY';
      problems.push(`${name}: ${error.message}`);
      return none;
    }
  } else {
    keyring = Keyring.parse(`default:${legacyKeyBytes(e.DB_ENCRYPTION_KEY).toString('base64')}`, e.DB_ENCRYPTION_ACTIVE_KEY === 'default' ? 'default' : undefined);
    legacyKey = true;
    if (e.DB_ENCRYPTION_ACTIVE_KEY && e.DB_ENCRYPTION_ACTIVE_KEY !== 'default') {
      problems.push('DB_ENCRYPTION_ACTIVE_KEY: a single legacy DB_ENCRYPTION_KEY has the id "default"');
    }
  }
  if (e.DB_BLIND_INDEX_KEY_ID && !keyring.has(e.DB_BLIND_INDEX_KEY_ID)) {
    problems.push(`DB_BLIND_INDEX_KEY_ID: the key "${e.DB_BLIND_INDEX_KEY_ID}" is not in DB_ENCRYPTION_KEY`);
  }
  return { keyring, legacyKey, columns, blindIndexKeyId: e.DB_BLIND_INDEX_KEY_ID };
}

/**
 * Before keyrings, DB_ENCRYPTION_KEY was documented as any 32+ characters: such a value (one entry,
 * no "id:" and no ",") is still accepted, as the key HKDF-SHA256 derives from it.
 */
function isLegacyKey(text: string): boolean {
  if (text.trim().length < 32 || /[,:]/.test(text)) return false;
  try {
    Keyring.parse(text); // a bare base64 32-byte key is a keyring of one, not a legacy key
    return false;
  } catch {
    return true;
  }
}

export function legacyKeyBytes(text: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(text.trim(), 'utf8'), 'visiobook/db-encryption-key', 'legacy-v1', 32));
}
