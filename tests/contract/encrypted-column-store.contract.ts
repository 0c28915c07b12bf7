import type { CurrentForm, EncryptedColumnSet, EncryptedColumnStore } from '../../src/application/ports/encrypted-column-store.port';

/** Rows as stored: column (and blind index column) -> value. */
export type StoredRow = Record<string, string | null>;

export interface EncryptedColumnStoreUnderTest {
  store: EncryptedColumnStore;
  /** A table keyed by `id` with `secret` (blind index `secret_bidx`) and `note` (none) encrypted. */
  set: EncryptedColumnSet;
  /** Inserts rows as given (no encryption); resolves to their keys, in key order. */
  seed(rows: StoredRow[]): Promise<string[]>;
  /** The row as stored, with its updated_at. */
  read(key: string): Promise<StoredRow & { updated_at: unknown }>;
  /** Changes a row as a gateway write would, behind the store's back. */
  overwrite(key: string, values: StoredRow): Promise<void>;
  close(): Promise<void>;
}

const CURRENT: CurrentForm = { ciphertextPrefix: 'vbenc1:k2:', blindIndexPrefix: 'k1:' };

/** What every EncryptedColumnStore promises. */
export function encryptedColumnStoreContract(name: string, make: () => Promise<EncryptedColumnStoreUnderTest>): void {
  describe(`${name} (EncryptedColumnStore contract)`, () => {
    let s: EncryptedColumnStoreUnderTest;
    let keys: string[];
    beforeEach(async () => {
      s = await make();
      keys = await s.seed([
        { secret: 'vbenc1:k2:current', secret_bidx: 'k1:idx', note: 'vbenc1:k2:n' }, // current
        { secret: 'plain', secret_bidx: null, note: null }, // before encryption
        { secret: 'vbenc1:k1:old', secret_bidx: 'k1:idx', note: null }, // under a rotated-out key
        { secret: 'vbenc1:k2:x', secret_bidx: 'k0:idx', note: null }, // blind index of another index key
        { secret: null, secret_bidx: 'k1:left', note: null }, // a blind index left for a NULL
        { secret: null, secret_bidx: null, note: 'legacy note' }, // a column without blind index, plaintext
      ]);
    });
    afterEach(() => s.close());

    it('finds the rows not in the current form, in key order, in batches after a key', async () => {
      expect(await s.store.countStale(s.set, CURRENT)).toBe(5);
      const first = await s.store.nextStale(s.set, CURRENT, null, 2);
      expect(first.map((r) => r.key)).toEqual([keys[1], keys[2]]);
      expect(first[0]!.values).toEqual({ secret: 'plain', secret_bidx: null, note: null });
      const rest = await s.store.nextStale(s.set, CURRENT, first[1]!.key, 10);
      expect(rest.map((r) => r.key)).toEqual([keys[3], keys[4], keys[5]]);
      expect(await s.store.nextStale(s.set, CURRENT, keys[5]!, 10)).toEqual([]);
    });

    it('rewrites rows that still hold what was read, leaves the others and updated_at alone', async () => {
      const [plain, old] = await s.store.nextStale(s.set, CURRENT, null, 2);
      const before = await s.read(plain!.key);
      await s.overwrite(old!.key, { secret: 'vbenc1:k2:written-meanwhile', secret_bidx: 'k1:w' });
      const applied = await s.store.rewrite(s.set, [
        { key: plain!.key, expected: plain!.values, next: { secret: 'vbenc1:k2:p', secret_bidx: 'k1:p', note: null } },
        { key: old!.key, expected: old!.values, next: { secret: 'vbenc1:k2:o', secret_bidx: 'k1:o', note: null } },
      ]);
      expect(applied).toBe(1);
      expect(await s.read(plain!.key)).toEqual({ ...before, secret: 'vbenc1:k2:p', secret_bidx: 'k1:p' });
      expect(await s.read(old!.key)).toMatchObject({ secret: 'vbenc1:k2:written-meanwhile', secret_bidx: 'k1:w' });
      expect(await s.store.rewrite(s.set, [])).toBe(0);
    });

    it('counts rows by key id, plaintext rows and stale blind indexes, per column', async () => {
      const usage = await s.store.usage(s.set, CURRENT);
      expect(usage).toEqual([
        { table: s.set.table, column: 'secret', byKey: { k1: 1, k2: 2 }, plaintext: 1, staleBlindIndexes: 3 },
        { table: s.set.table, column: 'note', byKey: { k2: 1 }, plaintext: 1, staleBlindIndexes: 0 },
      ]);
    });
  });
}
