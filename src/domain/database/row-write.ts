import type { Filter } from './query-spec';
import type { OwnerRule } from './owner-rule';
import { ownershipOf } from './table-policy';
import type { SchemaSnapshot, TableSchema } from './table-schema';

export const ROW_WRITE_KINDS = ['insert', 'update', 'delete', 'upsert'] as const;
export type RowWriteKind = (typeof ROW_WRITE_KINDS)[number];

/** One validated PostgreSQL write: every name checked against the catalog, values still values. */
export interface RowWrite {
  /** 1-based index of the operation in its request. */
  operation: number;
  kind: RowWriteKind;
  table: TableSchema;
  /** Column → value to bind (JSON columns already serialized); insert, update and upsert. */
  values: Record<string, unknown>;
  /** update and delete: never empty. */
  filters: Filter[];
  /** upsert: a unique key of the table. */
  conflictColumns: string[];
  /** Visible columns only: secret columns are never returned. */
  returning: string[];
  owner: OwnerRule;
}

/**
 * Tables whose cached reads the writes make stale: each table written and, for deletes, the tables
 * whose rows go with them (children through their parent, a user's own rows), since ON DELETE
 * CASCADE changes those without naming them.
 */
export function tablesWritten(writes: readonly RowWrite[], schema: SchemaSnapshot): string[] {
  const tables = new Set(writes.map((w) => w.table.name));
  const deleted = new Set(writes.filter((w) => w.kind === 'delete').map((w) => w.table.name));
  let grew = deleted.size > 0;
  while (grew) {
    grew = false;
    for (const table of schema.tables.values()) {
      if (deleted.has(table.name)) continue;
      const ownership = ownershipOf(table, schema.tables);
      const cascades =
        (ownership?.kind === 'parent' && deleted.has(ownership.parentTable)) || (ownership?.kind === 'owner' && deleted.has('users'));
      if (cascades) {
        deleted.add(table.name);
        tables.add(table.name);
        grew = true;
      }
    }
  }
  return [...tables];
}
