import { DomainError } from '../shared/domain-error';
import type { SchemaSnapshot, TableSchema } from './table-schema';

/** The blind index of column `c` lives in `c_bidx`, beside it; the gateway keeps it and hides it. */
export const BLIND_INDEX_SUFFIX = '_bidx';

/** Column types ciphertext fits in whatever the value's length (format_type's spelling). */
const CIPHERTEXT_TYPES: ReadonlySet<string> = new Set(['text', 'character varying']);

/** How one encrypted column of a table is stored: its blind index column, if it has one. */
export interface EncryptedColumn {
  table: string;
  column: string;
  /** Null: no blind index, so no equality filter either. */
  blindIndex: string | null;
}

/** The declared set (ENCRYPTED_COLUMNS): `table.column` names, checked for form only. */
export class EncryptedColumnsPolicy {
  private constructor(private readonly byTable: ReadonlyMap<string, ReadonlySet<string>>) {}

  /** Throws an Error naming the bad entry. */
  static parse(list: string): EncryptedColumnsPolicy {
    const byTable = new Map<string, Set<string>>();
    for (const entry of list.split(',').map((e) => e.trim()).filter(Boolean)) {
      const match = /^([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)$/.exec(entry);
      if (!match) throw new Error(`"${entry}" is not table.column (lower-case names)`);
      const [, table, column] = match as unknown as [string, string, string];
      if (column.endsWith(BLIND_INDEX_SUFFIX)) throw new Error(`"${entry}": a ${BLIND_INDEX_SUFFIX} column holds a blind index, it cannot be encrypted`);
      byTable.set(table, (byTable.get(table) ?? new Set()).add(column));
    }
    return new EncryptedColumnsPolicy(byTable);
  }

  get names(): string[] {
    return [...this.byTable].flatMap(([table, columns]) => [...columns].map((column) => `${table}.${column}`));
  }

  /**
   * The declared columns the migrated schema has, with their blind index when `<column>_bidx` exists.
   * A declared column the schema lacks (a migration may not have created it yet), or that cannot hold
   * ciphertext (not unbounded text), is skipped: it is stored as sent, and absent from the status.
   */
  layout(schema: SchemaSnapshot): EncryptedColumn[] {
    const found: EncryptedColumn[] = [];
    for (const [tableName, columns] of this.byTable) {
      const table = schema.tables.get(tableName);
      if (!table) continue;
      for (const column of columns) {
        if (!CIPHERTEXT_TYPES.has(table.columns.get(column)?.type ?? '')) continue;
        const index = `${column}${BLIND_INDEX_SUFFIX}`;
        found.push({ table: tableName, column, blindIndex: table.columns.has(index) ? index : null });
      }
    }
    return found;
  }
}

/**
 * The schema as callers see it. Blind index columns are always hidden: nobody names, reads or writes
 * them (a caller who could set one could squat another user's email). When values are encrypted, each
 * table also records its encrypted columns, and a unique key on a blind index reads as a unique key on
 * its column (`users.email` stays an upsert conflict target); when not, such a key is simply dropped.
 */
export function schemaWithEncryption(schema: SchemaSnapshot, layout: readonly EncryptedColumn[], encrypting = true): SchemaSnapshot {
  if (layout.length === 0) return schema;
  const tables = new Map(schema.tables);
  for (const name of new Set(layout.map((c) => c.table))) {
    const table = schema.tables.get(name) as TableSchema;
    const encrypted = new Map(layout.filter((c) => c.table === name).map((c) => [c.column, c]));
    const indexes = new Map([...encrypted.values()].flatMap((c) => (c.blindIndex ? [[c.blindIndex, c.column] as const] : [])));
    const columns = new Map([...table.columns].filter(([column]) => !indexes.has(column)));
    const seen = new Set<string>();
    const uniqueKeys = table.uniqueKeys
      .filter((key) => encrypting || !key.some((column) => indexes.has(column)))
      .map((key) => key.map((column) => indexes.get(column) ?? column))
      .filter((key) => {
        const id = key.join('\0');
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      });
    tables.set(name, encrypting ? { ...table, columns, uniqueKeys, encrypted } : { ...table, columns, uniqueKeys });
  }
  return { tables };
}

/**
 * An encrypted column asked to sort, compare by range, or match a pattern: its stored values are
 * ciphertext, which has no order and no substrings. Equality works through the blind index.
 */
export class EncryptedColumnNotSearchable extends DomainError {
  readonly code = 'ENCRYPTED_COLUMN_NOT_SEARCHABLE';
  constructor(table: string, column: string, use: string, path: string) {
    const why = use === 'eq' || use === 'neq' || use === 'in' ? 'it has no blind index' : 'its values are stored encrypted';
    super(`${table}.${column} is encrypted at rest: ${use} is not possible on it (${why}); equality filters are`, {
      column: `${table}.${column}`,
      operation: use,
      path,
      reason: why,
    });
  }
}

/** A stored value names a key id DB_ENCRYPTION_KEY no longer holds: put the key back, never garbage. */
export class EncryptedColumnKeyUnavailable extends DomainError {
  readonly code = 'ENCRYPTION_KEY_UNAVAILABLE';
  constructor(column: string, keyId: string) {
    super(`A value of ${column} is encrypted with the key "${keyId}", which is not in DB_ENCRYPTION_KEY`, { column, key_id: keyId });
  }
}

/** A stored value fails authentication (altered in the database, or copied from another column). */
export class EncryptedColumnCorrupt extends DomainError {
  readonly code = 'STORAGE_INTEGRITY_ERROR';
  constructor(column: string) {
    super(`A stored value of ${column} fails authentication`, { column });
  }
}
