/** A table as introspected from the migrated database: the only names a request may use. */
export interface ColumnSchema {
  name: string;
  /** PostgreSQL's own spelling of the type (format_type), used to cast bound parameters. */
  type: string;
  nullable: boolean;
  hasDefault: boolean;
}

export interface TableSchema {
  name: string;
  columns: ReadonlyMap<string, ColumnSchema>;
  primaryKey: readonly string[];
  /** Column sets with a unique constraint or index (upsert conflict targets). */
  uniqueKeys: ReadonlyArray<readonly string[]>;
  /**
   * Columns stored encrypted (DB_ENCRYPTION_KEY), by name, with their blind index column; absent when
   * none are. Set by the catalog the gateway reads, never by introspection itself.
   */
  encrypted?: ReadonlyMap<string, { blindIndex: string | null }>;
}

export interface SchemaSnapshot {
  tables: ReadonlyMap<string, TableSchema>;
}
