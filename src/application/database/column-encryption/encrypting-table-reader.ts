import type { ScopedSelect } from '../../../domain/database/scoped-select';
import type { DatabaseSession } from '../../ports/database-session.port';
import type { SelectResult, TableReader } from '../../ports/table-reader.port';
import type { ColumnCodec } from './column-codec';

/**
 * A TableReader that searches encrypted columns through their blind index and decrypts what it
 * reads, so the rows (and so the read cache's pages, which hold what this returns) are what the
 * caller may see: the cache key is the query and the caller's scope, as for any other read.
 */
export class EncryptingTableReader implements TableReader {
  constructor(
    private readonly inner: TableReader,
    private readonly codec: ColumnCodec,
  ) {}

  async select(query: ScopedSelect, session?: DatabaseSession): Promise<SelectResult> {
    if (!query.table.encrypted) return this.inner.select(query, session);
    this.codec.checkSort(query.table, query.spec.sort);
    const spec = { ...query.spec, filters: this.codec.storedFilters(query.table, query.spec.filters) };
    const result = await this.inner.select({ ...query, spec }, session);
    return { ...result, rows: this.codec.decodeRows(query.table, result.rows) };
  }
}
