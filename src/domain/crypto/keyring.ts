/**
 * Master keys by id, one of them active (the one new data is written with). Parsed from the
 * `id:base64-32-bytes,id2:...` form of ENCRYPTION_KEYS / DB_ENCRYPTION_KEY; a bare base64 key (the
 * seed's single ENCRYPTION_KEY) is a keyring of one with the id `default`. Key bytes never leave this
 * object except through `key(id)`, and nothing here prints them: the errors name ids and positions only.
 */
export class Keyring {
  private constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    readonly activeId: string,
  ) {}

  /** Throws KeyringFormatError (message safe to log: it never contains key material). */
  static parse(text: string, activeId?: string): Keyring {
    const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry.length > 0);
    if (entries.length === 0) throw new KeyringFormatError('no key given');
    const keys = new Map<string, Buffer>();
    entries.forEach((entry, position) => {
      const colon = entry.indexOf(':');
      const [id, encoded] = colon === -1 && entries.length === 1 ? ['default', entry] : [entry.slice(0, colon), entry.slice(colon + 1)];
      if (colon === -1 && entries.length > 1) throw new KeyringFormatError(`entry ${position + 1} has no "id:" prefix`);
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(id)) throw new KeyringFormatError(`entry ${position + 1}: the id must be 1-64 letters, digits, "_", "." or "-"`);
      if (keys.has(id)) throw new KeyringFormatError(`key id "${id}" appears twice`);
      const key = decodeKey(encoded);
      if (!key) throw new KeyringFormatError(`key "${id}" is not 32 bytes in base64 (openssl rand -base64 32)`);
      keys.set(id, key);
    });
    const active = activeId ?? (entries.length === 1 ? [...keys.keys()][0]! : undefined);
    if (active === undefined) throw new KeyringFormatError('several keys are given: name the active one');
    if (!keys.has(active)) throw new KeyringFormatError(`the active key "${active}" is not in the keyring`);
    return new Keyring(keys, active);
  }

  get ids(): string[] {
    return [...this.keys.keys()];
  }

  has(id: string): boolean {
    return this.keys.has(id);
  }

  /** The key bytes, or null when the id is not in the keyring (a removed key). */
  key(id: string): Buffer | null {
    return this.keys.get(id) ?? null;
  }

  get activeKey(): Buffer {
    return this.keys.get(this.activeId)!;
  }

  /** Never the key bytes, whatever logs or serializes this object. */
  toJSON(): { active: string; ids: string[] } {
    return { active: this.activeId, ids: this.ids };
  }
}

export class KeyringFormatError extends Error {}

function decodeKey(encoded: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) && !/^[A-Za-z0-9_-]+$/.test(encoded)) return null;
  const key = Buffer.from(encoded, encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64');
  return key.length === 32 ? key : null;
}
