import type { ScopedSelect } from '../../domain/database/scoped-select';
import { filterSql, ownedSql, Params } from './pg-conditions';
import { ident, type SqlStatement } from './pg-sql-text';

export interface SelectSql {
  /** The page; when counting, each row also carries the total in TOTAL_COLUMN (a window count). */
  page: SqlStatement;
  /** The count alone, for when the page is empty and so carries no total. */
  count: SqlStatement | null;
}

/** Alias of the window count riding on each page row; stripped before rows leave the adapter. */
export const TOTAL_COLUMN = '__vb_total';

/** The page query (with its window count when asked) and the count alone, sharing one WHERE clause. */
export function buildSelectSql(select: ScopedSelect): SelectSql {
  const params = new Params();
  const typeOf = (column: string) => select.table.columns.get(column)?.type ?? 'text';
  const conditions = select.spec.filters.map((filter) => filterSql(filter, typeOf(filter.column), params));
  const scoped = ownedSql(select.rowFilter, params);
  if (scoped) conditions.push(scoped);
  const from = `FROM ${ident(select.table.name)} t${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''}`;
  const whereValues = [...params.values];

  const columns = select.spec.fields.map((field) => `t.${ident(field)}`).join(', ');
  const order = orderBy(select);
  const limit = params.bind(select.spec.limit);
  const offset = params.bind((select.spec.page - 1) * select.spec.limit);
  const total = select.count ? `, count(*) OVER () AS ${ident(TOTAL_COLUMN)}` : '';
  return {
    // One round trip: the window count is computed over every matching row before LIMIT applies.
    page: { text: `SELECT ${columns}${total} ${from}${order} LIMIT ${limit} OFFSET ${offset}`, values: params.values },
    count: select.count ? { text: `SELECT count(*) AS total ${from}`, values: whereValues } : null,
  };
}

/** The requested order, then the primary key, so pages never overlap or skip rows on ties. */
function orderBy(select: ScopedSelect): string {
  const keys = select.spec.sort.map((key) => `t.${ident(key.column)} ${key.direction === 'desc' ? 'DESC' : 'ASC'}`);
  const sorted = new Set(select.spec.sort.map((key) => key.column));
  for (const column of select.table.primaryKey) if (!sorted.has(column)) keys.push(`t.${ident(column)} ASC`);
  return keys.length > 0 ? ` ORDER BY ${keys.join(', ')}` : '';
}
