import type { SchemaCatalog } from '../../../application/ports/schema-catalog.port';
import type { SchemaSnapshot, TableSchema } from '../../../domain/database/table-schema';

/**
 * The fake SchemaCatalog. `define` plays a migration: it changes the "database", which the catalog,
 * like PgSchemaCatalog, sees only at its next introspection (first use, or refresh).
 */
export class InMemorySchemaCatalog implements SchemaCatalog {
  private readonly database: Map<string, TableSchema>;
  private current: SchemaSnapshot | undefined;

  constructor(schema: SchemaSnapshot = { tables: new Map() }) {
    this.database = new Map(schema.tables);
  }

  define(table: TableSchema): void {
    this.database.set(table.name, table);
  }

  async snapshot(): Promise<SchemaSnapshot> {
    this.current ??= this.introspect();
    return this.current;
  }

  async refresh(): Promise<SchemaSnapshot> {
    this.current = this.introspect();
    return this.current;
  }

  private introspect(): SchemaSnapshot {
    return { tables: new Map(this.database) };
  }
}
