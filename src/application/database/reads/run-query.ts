import type { Caller } from '../../../domain/auth/caller';
import type { RawQuery } from '../../../domain/database/query-spec';
import { normalizedSpec } from '../../../domain/database/read-cache-key';
import { scopeOf } from '../../../domain/database/row-scope';
import { scopedSelect } from '../../../domain/database/scoped-select';
import { NotFound } from '../../../domain/shared/errors';
import type { LeaseSessions } from '../../ports/lease-sessions.port';
import type { SchemaCatalog } from '../../ports/schema-catalog.port';
import type { SelectResult, TableReader } from '../../ports/table-reader.port';
import type { CacheStatus, ReadCache } from './read-cache';

export interface RunQueryInput {
  caller: Caller;
  query: RawQuery;
  /** Count every matching row (pagination.total), as PostgREST's count=exact. */
  count: boolean;
  bypassCache?: boolean;
  /** Run on this lease's connection instead of the pool. */
  connectionId?: string;
}

export interface RunQueryOutput {
  /** The page's rows as a JSON array: the form the cache keeps and the HTTP edge sends, unparsed. */
  rowsJson: string;
  total: number | null;
  page: number;
  limit: number;
  cache: CacheStatus;
}

/**
 * POST /data/query with database "postgresql": a select whose names are checked against the
 * migrated schema, scoped to what the caller owns, read through the cache.
 */
export class RunQuery {
  constructor(
    private readonly catalog: SchemaCatalog,
    private readonly reader: TableReader,
    private readonly cache: ReadCache,
    private readonly leases: LeaseSessions | null,
  ) {}

  async execute(input: RunQueryInput): Promise<RunQueryOutput> {
    const scope = scopeOf(input.caller);
    const select = scopedSelect(input.query, await this.catalog.snapshot(), scope, input.count);
    const paging = { page: select.spec.page, limit: select.spec.limit };

    if (input.connectionId !== undefined) {
      const connectionId = input.connectionId;
      if (!this.leases) throw new NotFound('No such connection lease', { connection_id: connectionId });
      // Never cached: on a lease the read may see the lease's own uncommitted writes.
      const result = await this.leases.use(connectionId, input.caller, (leased) => this.reader.select(select, leased.session));
      return { rowsJson: JSON.stringify(result.rows), total: result.total, ...paging, cache: 'bypass' };
    }

    const what = { select: normalizedSpec(select.spec), count: select.count, stored: PAGE_ENCODING };
    const { value, cache } = await this.cache.readText(
      { what, scope, tables: select.dependsOn, bypass: input.bypassCache },
      async () => encodePage(await this.reader.select(select)),
    );
    return { ...decodePage(value), ...paging, cache };
  }
}

/**
 * A page as stored: `[total,rows]`, one JSON document serialized once, from which the rows' text is
 * cut out rather than parsed. Named in the cache key, so an entry of another encoding never matches.
 */
const PAGE_ENCODING = 'total-rows';

function encodePage(result: SelectResult): string {
  return `[${JSON.stringify(result.total)},${JSON.stringify(result.rows)}]`;
}

function decodePage(text: string): { rowsJson: string; total: number | null } {
  const comma = text.indexOf(',');
  const total = text.slice(1, comma);
  return { rowsJson: text.slice(comma + 1, -1), total: total === 'null' ? null : Number(total) };
}
