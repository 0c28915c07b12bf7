import { SECRET_COLUMNS } from '../table-policy';

/** The role restricted queries run as (`SET LOCAL ROLE`); created by migration 20240126_001. */
export const READER_ROLE = 'vb_sql_reader';

/**
 * The application tables the reader role may SELECT from (the seeds' data), column by column
 * without SECRET_COLUMNS. An allow-list: the service's own bookkeeping (schema_migrations,
 * migration_runs, data_outbox, upload_sessions, cdn_purge_requests, backups, the job queue's schema)
 * and any table a later migration adds stay unreadable until granted on purpose. The migration
 * holds the same list; a unit test keeps the two equal.
 */
export const READABLE_TABLES: readonly string[] = [
  'users',
  'projects',
  'content_analysis',
  'media_assets',
  'analysis_jobs',
  'files',
  'file_metadata',
  'file_transformations',
  'cdn_cache',
  'cdn_traffic',
];

export interface TableColumns {
  table: string;
  columns: readonly string[];
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * What an operator runs, as a role allowed to create roles, when the service's own user could not
 * (a managed server): the role, the right for the service's user to switch to it, and column-level
 * SELECT grants (a table-level grant would include the secret columns).
 */
export function readerGrantStatements(serviceUser: string, tables: readonly TableColumns[]): string[] {
  const grants = tables.flatMap(({ table, columns }) => {
    const visible = columns.filter((c) => !SECRET_COLUMNS.has(c));
    return visible.length ? [`GRANT SELECT (${visible.map(ident).join(', ')}) ON public.${ident(table)} TO ${READER_ROLE};`] : [];
  });
  return [
    `CREATE ROLE ${READER_ROLE} NOLOGIN;`,
    `GRANT ${READER_ROLE} TO ${ident(serviceUser)};`,
    `GRANT USAGE ON SCHEMA public TO ${READER_ROLE};`,
    ...grants,
  ];
}
