import type { SchemaCatalog } from '../../application/ports/schema-catalog.port';
import type { ColumnSchema, SchemaSnapshot, TableSchema } from '../../domain/database/table-schema';
import type { PgSqlDatabase } from './pg-sql-database';

const COLUMNS_SQL = `
  SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
         NOT a.attnotnull AS nullable, a.atthasdef AS has_default
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
   ORDER BY c.relname, a.attnum`;

// Primary keys and unique constraints/indexes, as ordered column lists (text[]: pg does not parse name[]).
const KEYS_SQL = `
  SELECT c.relname AS table_name, i.indisprimary AS is_primary,
         array_agg(a.attname::text ORDER BY k.ord) AS columns
    FROM pg_index i
    JOIN pg_class c ON c.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
   WHERE n.nspname = 'public' AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
   GROUP BY c.relname, i.indexrelid, i.indisprimary`;

/** Reads the public schema from the system catalogs; every table and column name comes from here. */
export class PgSchemaCatalog implements SchemaCatalog {
  private current: Promise<SchemaSnapshot> | undefined;

  constructor(private readonly db: PgSqlDatabase) {}

  snapshot(): Promise<SchemaSnapshot> {
    this.current ??= this.introspect().catch((error: unknown) => {
      this.current = undefined; // a failed introspection (database down) is retried next time
      throw error;
    });
    return this.current;
  }

  /** The old snapshot keeps answering until the new one is read; a failed read keeps it. */
  async refresh(): Promise<SchemaSnapshot> {
    const snapshot = await this.introspect();
    this.current = Promise.resolve(snapshot);
    return snapshot;
  }

  private async introspect(): Promise<SchemaSnapshot> {
    const [columns, keys] = await this.db.withClient(async (client) => [
      (await client.query<{ table_name: string; column_name: string; type: string; nullable: boolean; has_default: boolean }>(COLUMNS_SQL)).rows,
      (await client.query<{ table_name: string; is_primary: boolean; columns: string[] }>(KEYS_SQL)).rows,
    ] as const);
    const byTable = new Map<string, { columns: Map<string, ColumnSchema>; primaryKey: string[]; uniqueKeys: string[][] }>();
    for (const row of columns) {
      const entry = byTable.get(row.table_name) ?? { columns: new Map(), primaryKey: [], uniqueKeys: [] };
      entry.columns.set(row.column_name, { name: row.column_name, type: row.type, nullable: row.nullable, hasDefault: row.has_default });
      byTable.set(row.table_name, entry);
    }
    for (const key of keys) {
      const entry = byTable.get(key.table_name);
      if (!entry) continue;
      if (key.is_primary) entry.primaryKey = key.columns;
      entry.uniqueKeys.push(key.columns);
    }
    const tables = new Map<string, TableSchema>();
    for (const [name, entry] of byTable) tables.set(name, { name, ...entry });
    return { tables };
  }
}
