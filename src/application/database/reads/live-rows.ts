import type { SchemaSnapshot } from '../../../domain/database/table-schema';

/** The filter that leaves soft-deleted rows out, for tables that have `deleted_at`. */
export function liveRowsOnly(schema: SchemaSnapshot, table: string): Record<string, null> {
  return schema.tables.get(table)?.columns.has('deleted_at') ? { deleted_at: null } : {};
}
