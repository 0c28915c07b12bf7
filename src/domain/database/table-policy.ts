import type { TableSchema } from './table-schema';

/**
 * Who owns a row, per table: how a non-admin caller's reads and writes are scoped.
 * - `owner`: the row's own column holds the owner's id (projects.user_id, files.user_id).
 * - `self`: the row is the user (users.id).
 * - `parent`: the row belongs to whoever owns its parent row (content_analysis → projects).
 */
export type Ownership =
  | { kind: 'owner'; column: string }
  | { kind: 'self'; column: string }
  | { kind: 'parent'; column: string; parentTable: string; parentOwnerColumn: string };

/** Child tables and the parent that owns them (the seeds' foreign keys). */
const PARENTS: Record<string, { column: string; parentTable: string }> = {
  content_analysis: { column: 'project_id', parentTable: 'projects' },
  media_assets: { column: 'project_id', parentTable: 'projects' },
  analysis_jobs: { column: 'project_id', parentTable: 'projects' },
  file_metadata: { column: 'file_id', parentTable: 'files' },
  file_transformations: { column: 'source_file_id', parentTable: 'files' },
  cdn_cache: { column: 'file_id', parentTable: 'files' },
  cdn_traffic: { column: 'file_id', parentTable: 'files' },
};

/** Never returned to anyone, never usable in filters or sorts. */
export const SECRET_COLUMNS: ReadonlySet<string> = new Set(['password_hash', 'encryption_key_id', 'encryption_wrapped_key']);

/** Columns only an admin may write: a user must not grant themselves a role or plan. */
export const ADMIN_ONLY_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  users: ['role', 'subscription_type', 'email_verified', 'phone_verified'],
};

/** Bookkeeping tables of the service itself: not reachable through the data API, even by admins. */
export const INTERNAL_TABLES: ReadonlySet<string> = new Set(['schema_migrations', 'migration_runs', 'data_outbox', 'encryption_jobs', 'audit_log', 'audit_chain_anchor', 'service_instances']);

/** The ownership rule of a table, or null when only admins may touch it. */
export function ownershipOf(table: TableSchema, tables: ReadonlyMap<string, TableSchema>): Ownership | null {
  if (table.name === 'users' && table.columns.has('id')) return { kind: 'self', column: 'id' };
  const parent = PARENTS[table.name];
  if (parent && table.columns.has(parent.column)) {
    const parentTable = tables.get(parent.parentTable);
    if (parentTable?.columns.has('user_id')) {
      return { kind: 'parent', column: parent.column, parentTable: parent.parentTable, parentOwnerColumn: 'user_id' };
    }
  }
  if (table.columns.has('user_id')) return { kind: 'owner', column: 'user_id' };
  return null;
}

/** Columns a caller may see: every column but the secret ones. */
export function visibleColumns(table: TableSchema): string[] {
  return [...table.columns.keys()].filter((c) => !SECRET_COLUMNS.has(c));
}
