import type { SchemaSnapshot } from '../../domain/database/table-schema';

/** The migrated schema, introspected: the only table and column names requests may use. */
export interface SchemaCatalog {
  /** The last introspection (introspects on first use). */
  snapshot(): Promise<SchemaSnapshot>;
  /** Introspects again; called after migrations change the schema. */
  refresh(): Promise<SchemaSnapshot>;
}
