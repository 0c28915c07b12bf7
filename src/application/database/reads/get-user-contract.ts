import type { Caller } from '../../../domain/auth/caller';
import { scopeOf } from '../../../domain/database/row-scope';
import { scopedSelect } from '../../../domain/database/scoped-select';
import { NotFound } from '../../../domain/shared/errors';
import type { SchemaCatalog } from '../../ports/schema-catalog.port';
import type { Row, TableReader } from '../../ports/table-reader.port';
import { liveRowsOnly } from './live-rows';
import type { CacheStatus, ReadCache } from './read-cache';

export interface UserContractResult {
  user: Row;
  cache: CacheStatus;
}

/**
 * GET /contracts/user/{id} (001 "Endpoints de Contrats"): one user's row, scoped like any query, so a
 * non-admin reaches only their own and anyone else's reads as missing (404), never as forbidden.
 */
export class GetUserContract {
  constructor(
    private readonly catalog: SchemaCatalog,
    private readonly reader: TableReader,
    private readonly cache: ReadCache,
  ) {}

  async execute(input: { caller: Caller; userId: string }): Promise<UserContractResult> {
    const scope = scopeOf(input.caller);
    const schema = await this.catalog.snapshot();
    const filters = { id: input.userId, ...liveRowsOnly(schema, 'users') };
    const select = scopedSelect({ table: 'users', filters, page: 1, limit: 1 }, schema, scope, false);
    const { value, cache } = await this.cache.read(
      { what: { contract: 'user', id: input.userId }, scope, tables: select.dependsOn },
      async () => (await this.reader.select(select)).rows[0] ?? null,
    );
    if (!value) throw new NotFound('No such user', { user_id: input.userId });
    return { user: value, cache };
  }
}
