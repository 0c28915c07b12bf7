import type { RowScope } from './row-scope';
import { ownershipOf } from './table-policy';
import type { SchemaSnapshot, TableSchema } from './table-schema';

/**
 * Whose rows a statement may read or change, with the catalog's types so the adapter can cast the bound owner id.
 * - `none`: an admin, every row.
 * - `column`: the row's owner column must be the caller (projects.user_id, users.id).
 * - `parent`: the row's parent (through `column`) must be owned by the caller; a parent named by
 *   an insert or an update must be the caller's too.
 * Reads and writes share it, so the two can never disagree on what a caller owns.
 */
export type OwnerRule =
  | { kind: 'none' }
  | { kind: 'column'; column: string; type: string; userId: string }
  | {
      kind: 'parent';
      column: string;
      parentTable: string;
      parentKey: string;
      parentKeyType: string;
      parentOwnerColumn: string;
      ownerType: string;
      userId: string;
    };

/** The ownership condition of `table` for `scope`; null when a non-admin may not touch the table at all. */
export function ownerRuleOf(table: TableSchema, schema: SchemaSnapshot, scope: RowScope): OwnerRule | null {
  if (scope.kind === 'all') return { kind: 'none' };
  const ownership = ownershipOf(table, schema.tables);
  if (!ownership) return null;
  if (ownership.kind !== 'parent') {
    return { kind: 'column', column: ownership.column, type: typeOf(table, ownership.column), userId: scope.userId };
  }
  const parent = schema.tables.get(ownership.parentTable) as TableSchema;
  const parentKey = parent.primaryKey.length === 1 ? (parent.primaryKey[0] as string) : 'id';
  return {
    kind: 'parent',
    column: ownership.column,
    parentTable: parent.name,
    parentKey,
    parentKeyType: typeOf(parent, parentKey),
    parentOwnerColumn: ownership.parentOwnerColumn,
    ownerType: typeOf(parent, ownership.parentOwnerColumn),
    userId: scope.userId,
  };
}

function typeOf(table: TableSchema, column: string): string {
  return table.columns.get(column)?.type ?? 'text';
}

