import type { Caller } from '../../../domain/auth/caller';
import type { RawQuery } from '../../../domain/database/query-spec';
import { scopeOf, type RowScope } from '../../../domain/database/row-scope';
import { schemaVisibleTo, scopedSelect, type ScopedSelect } from '../../../domain/database/scoped-select';
import type { SchemaSnapshot } from '../../../domain/database/table-schema';
import { NotFound } from '../../../domain/shared/errors';
import type { SchemaCatalog } from '../../ports/schema-catalog.port';
import type { Row, TableReader } from '../../ports/table-reader.port';
import { liveRowsOnly } from './live-rows';
import type { CacheStatus, ReadCache } from './read-cache';

export interface ProjectAggregate {
  project: Row;
  /** Files attached to the project (null when there is no files table). */
  filesCount: number | null;
  /** The project's analysis jobs, newest first (001's "workflows"). */
  workflows: Row[];
  /** The tables this answer was read from. */
  aggregatedFrom: string[];
}

const MAX_WORKFLOWS = 100;
const WORKFLOW_FIELDS = ['id', 'job_type', 'status', 'progress_percent', 'created_at', 'started_at', 'completed_at'];

/**
 * GET /contracts/project/{id}: the project with its files count and workflows, each table scoped
 * like a query (a project the caller does not own is a 404), cached as one answer that every one of
 * those tables' writes invalidates.
 */
export class GetProjectContract {
  constructor(
    private readonly catalog: SchemaCatalog,
    private readonly reader: TableReader,
    private readonly cache: ReadCache,
  ) {}

  async execute(input: { caller: Caller; projectId: string }): Promise<ProjectAggregate & { cache: CacheStatus }> {
    const scope = scopeOf(input.caller);
    const schema = await this.catalog.snapshot();
    const id = input.projectId;
    const project = scopedSelect({ table: 'projects', filters: { id, ...liveRowsOnly(schema, 'projects') }, page: 1, limit: 1 }, schema, scope, false);
    const files = optionalSelect(schema, scope, 'files', (table) => ({
      table,
      filters: { project_id: id, ...liveRowsOnly(schema, table) },
      fields: ['id'],
      limit: 1,
    }), true);
    const jobs = optionalSelect(schema, scope, 'analysis_jobs', (table) => ({
      table,
      filters: { project_id: id },
      fields: WORKFLOW_FIELDS.filter((f) => schema.tables.get(table)?.columns.has(f)),
      sort: schema.tables.get(table)?.columns.has('created_at') ? [{ column: 'created_at', direction: 'desc' }] : [],
      limit: MAX_WORKFLOWS,
    }), false);
    const selects = [project, files, jobs].filter((s): s is ScopedSelect => s !== null);
    const tables = [...new Set(selects.flatMap((s) => s.dependsOn))];

    const { value, cache } = await this.cache.read({ what: { contract: 'project', id }, scope, tables }, async (): Promise<ProjectAggregate | null> => {
      const [row] = (await this.reader.select(project)).rows;
      if (!row) return null;
      const [fileCount, workflows] = await Promise.all([
        files ? this.reader.select(files).then((r) => r.total) : null,
        jobs ? this.reader.select(jobs).then((r) => r.rows) : [],
      ]);
      return { project: row, filesCount: fileCount, workflows, aggregatedFrom: selects.map((s) => s.spec.table) };
    });
    if (!value) throw new NotFound('No such project', { project_id: id });
    return { ...value, cache };
  }
}

/** A select on a table the aggregate can do without: null when the schema has no such table. */
function optionalSelect(schema: SchemaSnapshot, scope: RowScope, table: string, raw: (table: string) => RawQuery, count: boolean): ScopedSelect | null {
  if (!schemaVisibleTo(schema, scope).tables.has(table)) return null;
  return scopedSelect(raw(table), schema, scope, count);
}
