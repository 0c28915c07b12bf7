import type { Filter } from '../../../domain/database/query-spec';
import type { TableSchema } from '../../../domain/database/table-schema';
import type { ValidationIssue } from '../../../domain/shared/errors';
import { isUuid } from '../../../domain/shared/uuid';
import type { StoredRow } from './in-memory-tables';

/**
 * PostgreSQL's reading of a select's filters, as far as the fakes need it: values compared as their
 * column's type (uuids whatever their case, numbers as numbers, text by code point as the C
 * collation does), NULL matching no comparison, LIKE with its `\` escape.
 */

const isNull = (value: unknown): value is null | undefined => value === null || value === undefined;
const NUMERIC = /^(smallint|integer|bigint|numeric|decimal|real|double precision)\b/;
const INTEGER = /^(smallint|integer|bigint)$/;

export function columnType(table: TableSchema, column: string): string {
  return table.columns.get(column)?.type ?? 'text';
}

/** -1, 0 or 1 as PostgreSQL would order two non-null values of a column of `type`. */
export function compareValues(a: unknown, b: unknown, type: string): number {
  if (NUMERIC.test(type)) return Math.sign(Number(a) - Number(b));
  if (a instanceof Date || b instanceof Date) return Math.sign(new Date(a as string).getTime() - new Date(b as string).getTime());
  const [x, y] = type === 'uuid' ? [String(a).toLowerCase(), String(b).toLowerCase()] : [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

export function matchesFilters(row: StoredRow, filters: readonly Filter[], table: TableSchema): boolean {
  return filters.every((filter) => matches(row[filter.column], filter, columnType(table, filter.column)));
}

function matches(value: unknown, filter: Filter, type: string): boolean {
  if (filter.operator === 'is_null') return isNull(value) === filter.value;
  if (isNull(value)) return false;
  switch (filter.operator) {
    case 'in':
      return filter.value.some((v) => compareValues(value, v, type) === 0);
    case 'like':
    case 'ilike':
      return likePattern(String(filter.value), filter.operator === 'ilike').test(value instanceof Date ? value.toISOString() : String(value));
    default: {
      const order = compareValues(value, filter.value, type);
      return { eq: order === 0, neq: order !== 0, gt: order > 0, gte: order >= 0, lt: order < 0, lte: order <= 0 }[filter.operator];
    }
  }
}

/** LIKE's `%` and `_`, with `\` making the next character literal. */
function likePattern(pattern: string, caseInsensitive: boolean): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '\\') source += escapeRegExp(pattern[++i] ?? '');
    else if (char === '%') source += '.*';
    else if (char === '_') source += '.';
    else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's');
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The first filter value PostgreSQL would refuse to read as its column's type, named as the
 * PostgreSQL reader names it; null when every value fits. Only uuids and whole numbers are checked.
 */
export function badFilterValue(filters: readonly Filter[], table: TableSchema): ValidationIssue | null {
  for (const filter of filters) {
    const path = `filters.${filter.column}.${filter.operator}`;
    if (filter.operator === 'is_null') continue;
    if (filter.operator === 'like' || filter.operator === 'ilike') {
      if (/(^|[^\\])(\\\\)*\\$/.test(String(filter.value))) return { path, message: 'a pattern must not end with the escape character \\' };
      continue;
    }
    const type = columnType(table, filter.column);
    for (const value of filter.operator === 'in' ? filter.value : [filter.value]) {
      const bad = (type === 'uuid' && !isUuid(String(value))) || (INTEGER.test(type) && !/^\s*[-+]?\d+\s*$/.test(String(value)));
      if (bad) return { path, message: `invalid input syntax for type ${type}: "${String(value)}"` };
    }
  }
  return null;
}
