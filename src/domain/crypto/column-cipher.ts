import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Keyring } from './keyring';

/** Marks a stored value as ciphertext; what does not start with it is a value from before encryption. */
export const CIPHERTEXT_PREFIX = 'vbenc1:';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts column values with the active key of DB_ENCRYPTION_KEY's keyring and computes their blind
 * index. Stored form (text, so columns keep their text type and the restricted SQL shows it as is):
 *
 *   vbenc1:<key id>:<base64url(nonce 12 bytes ‖ AES-256-GCM ciphertext ‖ tag 16 bytes)>
 *
 * The additional authenticated data is `vbenc1:<key id>:<table>.<column>`, so a value copied into
 * another column, or relabelled with another key id, fails to decrypt instead of reading as garbage.
 *
 * The blind index is `<index key id>:<base64url(HMAC-SHA256(index key, "<table>.<column>" ‖ 0x00 ‖ value))>`
 * where the index key is HKDF-SHA256(master key <index key id>, salt "visiobook/blind-index", info "v1").
 * It depends on that one key only, not on the active one: rotating the encryption key changes no
 * blind index, so equality lookups and unique constraints hold throughout a rotation.
 */
export class ColumnCipher {
  private readonly indexKey: Buffer;

  constructor(
    private readonly keyring: Keyring,
    readonly blindIndexKeyId: string = keyring.ids[0]!,
  ) {
    const master = keyring.key(blindIndexKeyId);
    if (!master) throw new Error(`the blind index key "${blindIndexKeyId}" is not in the keyring`);
    this.indexKey = Buffer.from(hkdfSync('sha256', master, 'visiobook/blind-index', 'v1', 32));
  }

  get activeKeyId(): string {
    return this.keyring.activeId;
  }

  get keyIds(): string[] {
    return this.keyring.ids;
  }

  encrypt(scope: string, plaintext: string): string {
    const keyId = this.keyring.activeId;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keyring.activeKey, nonce);
    cipher.setAAD(aad(keyId, scope));
    const body = Buffer.concat([nonce, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${CIPHERTEXT_PREFIX}${keyId}:${body.toString('base64url')}`;
  }

  /** The plaintext; a value without the prefix (stored before encryption) is returned as is. */
  decrypt(scope: string, stored: string): string {
    const parsed = parseCiphertext(stored);
    if (!parsed) return stored;
    const key = this.keyring.key(parsed.keyId);
    if (!key) throw new ColumnKeyMissing(parsed.keyId);
    const body = Buffer.from(parsed.body, 'base64url');
    if (body.length < NONCE_BYTES + TAG_BYTES) throw new ColumnValueCorrupt();
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, NONCE_BYTES));
      decipher.setAAD(aad(parsed.keyId, scope));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([decipher.update(body.subarray(NONCE_BYTES, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new ColumnValueCorrupt();
    }
  }

  blindIndex(scope: string, plaintext: string): string {
    const mac = createHmac('sha256', this.indexKey).update(scope).update('\0').update(plaintext, 'utf8').digest('base64url');
    return `${this.blindIndexKeyId}:${mac}`;
  }

  /** Written with the active key: nothing for a rotation to do. */
  isCurrent(stored: string): boolean {
    return parseCiphertext(stored)?.keyId === this.keyring.activeId;
  }

  /** Never any key material, whatever logs this object. */
  toJSON(): { active: string; ids: string[]; blindIndexKeyId: string } {
    return { active: this.activeKeyId, ids: this.keyIds, blindIndexKeyId: this.blindIndexKeyId };
  }
}

/** The key id of a stored value, or null for a value stored before encryption. */
export function keyIdOf(stored: string): string | null {
  return parseCiphertext(stored)?.keyId ?? null;
}

function parseCiphertext(stored: string): { keyId: string; body: string } | null {
  if (!stored.startsWith(CIPHERTEXT_PREFIX)) return null;
  const rest = stored.slice(CIPHERTEXT_PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon <= 0) return null;
  return { keyId: rest.slice(0, colon), body: rest.slice(colon + 1) };
}

function aad(keyId: string, scope: string): Buffer {
  return Buffer.from(`${CIPHERTEXT_PREFIX}${keyId}:${scope}`, 'utf8');
}

/** A stored value names a key the keyring no longer holds. */
export class ColumnKeyMissing extends Error {
  constructor(readonly keyId: string) {
    super(`the key "${keyId}" of an encrypted column value is not in DB_ENCRYPTION_KEY`);
  }
}

/** The value does not authenticate: altered in the database, or moved from another column. */
export class ColumnValueCorrupt extends Error {
  constructor() {
    super('an encrypted column value does not authenticate');
  }
}
