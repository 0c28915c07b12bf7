import type { Caller } from '../../../domain/auth/caller';
import type { RawQuery } from '../../../domain/database/query-spec';
import { normalizedSpec } from '../../../domain/database/read-cache-key';
import { scopeOf } from '../../../domain/database/row-scope';
import { scopedSelect } from '../../../domain/database/scoped-select';
import { NotFound } from '../../../domain/shared/errors';
import type { LeaseSessions } from '../../ports/lease-sessions.port';
import type { SchemaCatalog } from '../../ports/schema-catalog.port';
import type { TableReader } from '../../ports/table-reader.port';
import { CACHED_PAGE_FORM, cachedPageOf, type CachedPage } from './cached-page';
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

/** The page as the cache keeps it (rows as JSON text, for the HTTP edge to send unparsed), and where it is. */
export interface RunQueryOutput extends CachedPage {
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
      return { ...cachedPageOf(result), ...paging, cache: 'bypass' };
    }

    const what = { select: normalizedSpec(select.spec), count: select.count, stored: CACHED_PAGE_FORM.name };
    const { value, cache } = await this.cache.read(
      { what, scope, tables: select.dependsOn, bypass: input.bypassCache },
      async () => cachedPageOf(await this.reader.select(select)),
      CACHED_PAGE_FORM,
    );
    return { rowsJson: value.rowsJson, total: value.total, ...paging, cache };
  }
}
