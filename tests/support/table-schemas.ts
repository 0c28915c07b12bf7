import type { ColumnSchema, SchemaSnapshot, TableSchema } from '../../src/domain/database/table-schema';

/**
 * A schema snapshot as PgSchemaCatalog reads it from the shipped migrations (the columns the write
 * tests use, PostgreSQL's own type spellings), for tests that run without a database.
 */
type Column = [name: string, type: string, options?: { notNull?: boolean; default?: boolean }];

export function aTable(name: string, columns: Column[], keys: { primaryKey?: string[]; unique?: string[][] } = {}): TableSchema {
  const map = new Map<string, ColumnSchema>(
    columns.map(([column, type, options]) => [column, { name: column, type, nullable: !options?.notNull, hasDefault: options?.default ?? false }]),
  );
  const primaryKey = keys.primaryKey ?? (map.has('id') ? ['id'] : []);
  return { name, columns: map, primaryKey, uniqueKeys: [...(primaryKey.length > 0 ? [primaryKey] : []), ...(keys.unique ?? [])] };
}

const id: Column = ['id', 'uuid', { notNull: true, default: true }];
const createdAt: Column = ['created_at', 'timestamp without time zone', { default: true }];

export function shippedSchema(): SchemaSnapshot {
  const tables = [
    aTable(
      'users',
      [
        id,
        ['email', 'character varying(255)', { notNull: true }],
        ['password_hash', 'character varying(255)', { notNull: true }],
        ['first_name', 'character varying(100)'],
        ['role', 'character varying(50)', { default: true }],
        ['subscription_type', 'character varying(50)', { default: true }],
        createdAt,
      ],
      { unique: [['email']] },
    ),
    aTable('projects', [
      id,
      ['user_id', 'uuid'],
      ['title', 'character varying(255)', { notNull: true }],
      ['status', 'character varying(50)', { default: true }],
      ['settings', 'jsonb', { default: true }],
      createdAt,
    ]),
    aTable('content_analysis', [
      id,
      ['project_id', 'uuid'],
      ['analysis_type', 'character varying(100)', { notNull: true }],
      ['result', 'jsonb', { notNull: true }],
      ['confidence_score', 'numeric(3,2)'],
      createdAt,
    ]),
    aTable('media_assets', [id, ['project_id', 'uuid'], ['asset_type', 'character varying(50)', { notNull: true }], ['file_path', 'character varying(500)', { notNull: true }]]),
    aTable('files', [id, ['user_id', 'uuid', { notNull: true }], ['original_name', 'character varying(255)', { notNull: true }], ['encryption_key_id', 'character varying(255)']]),
    aTable('feature_flags', [['name', 'text', { notNull: true }], ['enabled', 'boolean']], { primaryKey: ['name'] }),
    aTable('schema_migrations', [['version', 'text', { notNull: true }]], { primaryKey: ['version'] }),
    aTable('data_outbox', [['id', 'bigint', { notNull: true, default: true }], ['transaction_id', 'character varying(64)', { notNull: true }]]),
  ];
  return { tables: new Map(tables.map((table) => [table.name, table])) };
}
