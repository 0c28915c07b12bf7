import type { NewAuditEntry } from '../../domain/audit/audit-entry';
import type { EncryptedColumn } from '../../domain/database/encrypted-columns';

/** The encrypted columns of one table, and the single-column key its rows are walked by. */
export interface EncryptedColumnSet {
  table: string;
  key: { column: string; type: string };
  columns: readonly EncryptedColumn[];
}

/** What a stored value must start with to need no work: the active key's prefix, the index key's. */
export interface CurrentForm {
  /** `vbenc1:<active key id>:` */
  ciphertextPrefix: string;
  /** `<blind index key id>:` */
  blindIndexPrefix: string;
}

/** One row's encrypted columns and blind index columns, as stored; `key` is its key as text. */
export interface StoredColumns {
  key: string;
  values: Record<string, string | null>;
}

export interface ColumnRewrite {
  key: string;
  /** What the row held when read: it is rewritten only if it still does. */
  expected: Record<string, string | null>;
  next: Record<string, string | null>;
}

export interface ColumnUsage {
  table: string;
  column: string;
  /** Rows whose value is encrypted, by key id. */
  byKey: Record<string, number>;
  /** Rows whose value was stored before encryption. */
  plaintext: number;
  /** Rows whose blind index is missing or made with another index key (equality misses them). */
  staleBlindIndexes: number;
}

/**
 * The stored side of the background (re-)encryption of column values: finds rows not yet in the
 * current form, rewrites them without touching what a concurrent write changed meanwhile, counts.
 */
export interface EncryptedColumnStore {
  /** Up to `limit` rows after `after` (in key order; null: from the start) that are not in the current form. */
  nextStale(set: EncryptedColumnSet, current: CurrentForm, after: string | null, limit: number): Promise<StoredColumns[]>;
  countStale(set: EncryptedColumnSet, current: CurrentForm): Promise<number>;
  /**
   * Applies the rewrites in one transaction, each only where the row still holds `expected`; the
   * rows' updated_at is left as it was (the data did not change). Resolves to how many were applied.
   * `audit`: the audit entries for the rows actually rewritten (their keys), written in the same
   * transaction; none when no row was (and none when the trail is off).
   */
  rewrite(set: EncryptedColumnSet, rewrites: readonly ColumnRewrite[], audit?: (rewrittenKeys: readonly string[]) => NewAuditEntry[]): Promise<number>;
  usage(set: EncryptedColumnSet, current: CurrentForm): Promise<ColumnUsage[]>;
}
