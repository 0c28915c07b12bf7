import type { ColumnSchema, SchemaSnapshot, TableSchema } from '../../src/domain/database/table-schema';

/** `aTable('projects', { id: 'uuid', user_id: 'uuid', title: 'character varying(255)' })`; the first column is the key. */
export function aTable(name: string, columns: Record<string, string>): TableSchema {
  const map = new Map<string, ColumnSchema>(Object.entries(columns).map(([column, type]) => [column, { name: column, type, nullable: true, hasDefault: false }]));
  const key = Object.keys(columns).slice(0, 1);
  return { name, columns: map, primaryKey: key, uniqueKeys: [key] };
}

export function aSchema(...tables: TableSchema[]): SchemaSnapshot {
  return { tables: new Map(tables.map((t) => [t.name, t])) };
}

/** A slice of the shipped schema: an owned table, the users table, a child table, and one nobody owns. */
export function shippedLikeSchema(): SchemaSnapshot {
  return aSchema(
    aTable('users', { id: 'uuid', email: 'character varying(255)', password_hash: 'character varying(255)' }),
    aTable('projects', { id: 'uuid', user_id: 'uuid', title: 'character varying(255)', status: 'character varying(50)', created_at: 'timestamp without time zone' }),
    aTable('content_analysis', { id: 'uuid', project_id: 'uuid', confidence_score: 'numeric(3,2)', result: 'jsonb' }),
    aTable('app_settings', { id: 'integer', name: 'text' }),
    aTable('schema_migrations', { version: 'text' }),
  );
}
