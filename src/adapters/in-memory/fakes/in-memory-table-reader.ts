import type { DatabaseSession } from '../../../application/ports/database-session.port';
import type { Row, SelectResult, TableReader } from '../../../application/ports/table-reader.port';
import type { OwnerRule } from '../../../domain/database/owner-rule';
import type { ScopedSelect } from '../../../domain/database/scoped-select';
import { ValidationFailed } from '../../../domain/shared/errors';
import { badFilterValue, columnType, compareValues, matchesFilters } from './in-memory-filters';
import { inMemorySession, type InMemoryTables, type StoredRow } from './in-memory-tables';

/**
 * The fake TableReader, over the rows of InMemoryTables: filters, owner scoping, sort (then the
 * primary key, as PgTableReader orders ties), pages and totals as PostgreSQL answers them. Given a
 * session, it reads that session's tables, which hold its uncommitted writes.
 */
export class InMemoryTableReader implements TableReader {
  constructor(private readonly tables: InMemoryTables) {}

  async select(query: ScopedSelect, session?: DatabaseSession): Promise<SelectResult> {
    const tables = session ? inMemorySession(session).tables : this.tables;
    const bad = badFilterValue(query.spec.filters, query.table);
    if (bad) throw new ValidationFailed('A filter value does not fit its column', [bad]);

    const matching = tables
      .table(query.table.name)
      .filter((row) => visibleTo(query.rowFilter, row, tables) && matchesFilters(row, query.spec.filters, query.table))
      .sort(orderOf(query));
    const { page, limit, fields } = query.spec;
    const rows = matching.slice((page - 1) * limit, page * limit).map((row): Row => Object.fromEntries(fields.map((f) => [f, row[f] ?? null])));
    return { rows, total: query.count ? matching.length : null };
  }
}

function visibleTo(owner: OwnerRule, row: StoredRow, tables: InMemoryTables): boolean {
  switch (owner.kind) {
    case 'none':
      return true;
    case 'column':
      return sameOwner(row[owner.column], owner.userId, owner.type);
    case 'parent':
      return tables
        .table(owner.parentTable)
        .some((parent) => sameOwner(parent[owner.parentKey], row[owner.column], owner.parentKeyType) && sameOwner(parent[owner.parentOwnerColumn], owner.userId, owner.ownerType));
  }
}

const sameOwner = (a: unknown, b: unknown, type: string) => a !== null && a !== undefined && b !== null && b !== undefined && compareValues(a, b, type) === 0;

/** The asked keys, then the primary key; NULLs last ascending and first descending, as PostgreSQL sorts. */
function orderOf(query: ScopedSelect): (a: StoredRow, b: StoredRow) => number {
  const sorted = new Set(query.spec.sort.map((key) => key.column));
  const keys = [...query.spec.sort, ...query.table.primaryKey.filter((c) => !sorted.has(c)).map((column) => ({ column, direction: 'asc' as const }))];
  return (a, b) => {
    for (const { column, direction } of keys) {
      const [x, y] = [a[column], b[column]];
      const [xNull, yNull] = [x === null || x === undefined, y === null || y === undefined];
      const order = xNull || yNull ? Number(xNull) - Number(yNull) : compareValues(x, y, columnType(query.table, column));
      if (order !== 0) return direction === 'desc' ? -order : order;
    }
    return 0;
  };
}
