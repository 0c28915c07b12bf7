import { ValidationFailed, type ValidationIssue } from '../shared/errors';
import { INTERNAL_TABLES, SECRET_COLUMNS, visibleColumns } from './table-policy';
import type { SchemaSnapshot, TableSchema } from './table-schema';

export const FILTER_OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'like', 'ilike', 'is_null'] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export type Scalar = string | number | boolean;

export type Filter =
  | { column: string; operator: 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'like' | 'ilike'; value: Scalar }
  | { column: string; operator: 'in'; value: Scalar[] }
  | { column: string; operator: 'is_null'; value: boolean };

export interface SortKey {
  column: string;
  direction: 'asc' | 'desc';
}

/** A select whose every name was checked against the migrated schema. Values stay values. */
export interface QuerySpec {
  table: string;
  filters: Filter[];
  sort: SortKey[];
  fields: string[];
  page: number;
  limit: number;
}

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
const MAX_IN_VALUES = 1000;

/** The request as it arrives (snake_case already mapped), before any name is trusted. */
export interface RawQuery {
  table: string;
  filters?: Record<string, unknown>;
  sort?: Array<{ column: string; direction?: string }>;
  fields?: string[];
  page?: number;
  limit?: number;
}

/** A table the data API may reach, or a 400 naming it. */
export function resolveTable(schema: SchemaSnapshot, name: string, path = 'table'): TableSchema {
  const table = INTERNAL_TABLES.has(name) ? undefined : schema.tables.get(name);
  if (!table) throw new ValidationFailed(`Unknown table "${name}"`, [{ path, message: `unknown table "${name}"` }]);
  return table;
}

/**
 * Checks every name of a query against the table and collects every problem at once, so the 400
 * names each offending part (filters.status, sort.0.column, fields.2, ...).
 */
export function buildQuerySpec(raw: RawQuery, schema: SchemaSnapshot): QuerySpec {
  const table = resolveTable(schema, raw.table);
  const issues: ValidationIssue[] = [];
  const filters = parseFilters(raw.filters ?? {}, table, issues);
  const sort = (raw.sort ?? []).flatMap((key, i): SortKey[] => {
    if (!usableColumn(table, key.column)) {
      issues.push({ path: `sort.${i}.column`, message: `unknown column "${key.column}"` });
      return [];
    }
    const direction = (key.direction ?? 'asc').toLowerCase();
    if (direction !== 'asc' && direction !== 'desc') {
      issues.push({ path: `sort.${i}.direction`, message: 'expected asc or desc' });
      return [];
    }
    return [{ column: key.column, direction }];
  });
  const fields = raw.fields && raw.fields.length > 0 ? raw.fields : visibleColumns(table);
  fields.forEach((field, i) => {
    if (!usableColumn(table, field)) issues.push({ path: `fields.${i}`, message: `unknown column "${field}"` });
  });
  const page = raw.page ?? 1;
  const limit = raw.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(page) || page < 1) issues.push({ path: 'pagination.page', message: 'expected a whole number from 1' });
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    issues.push({ path: 'pagination.limit', message: `expected a whole number from 1 to ${MAX_LIMIT}` });
  }
  if (issues.length > 0) throw new ValidationFailed('Invalid query', issues);
  return { table: table.name, filters, sort, fields: [...new Set(fields)], page, limit };
}

/** A column that exists and is not secret; secret columns read as unknown so they are not probed. */
export function usableColumn(table: TableSchema, column: string): boolean {
  return table.columns.has(column) && !SECRET_COLUMNS.has(column);
}

export function parseFilters(raw: Record<string, unknown>, table: TableSchema, issues: ValidationIssue[], prefix = 'filters'): Filter[] {
  const filters: Filter[] = [];
  for (const [column, condition] of Object.entries(raw)) {
    const path = `${prefix}.${column}`;
    if (!usableColumn(table, column)) {
      issues.push({ path, message: `unknown column "${column}"` });
      continue;
    }
    if (condition === null) {
      filters.push({ column, operator: 'is_null', value: true });
    } else if (isScalar(condition)) {
      filters.push({ column, operator: 'eq', value: condition });
    } else if (typeof condition === 'object' && !Array.isArray(condition)) {
      const entries = Object.entries(condition as Record<string, unknown>);
      if (entries.length === 0) issues.push({ path, message: 'expected a value or an operator object' });
      for (const [operator, value] of entries) {
        const filter = parseOperator(column, operator, value, `${path}.${operator}`, issues);
        if (filter) filters.push(filter);
      }
    } else {
      issues.push({ path, message: 'expected a value or an operator object such as {"gte": 10}' });
    }
  }
  return filters;
}

function parseOperator(column: string, operator: string, value: unknown, path: string, issues: ValidationIssue[]): Filter | null {
  switch (operator) {
    case 'eq':
    case 'neq':
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (isScalar(value)) return { column, operator, value };
      issues.push({ path, message: 'expected a string, number or boolean' });
      return null;
    case 'like':
    case 'ilike':
      if (typeof value === 'string') return { column, operator, value };
      issues.push({ path, message: 'expected a pattern string' });
      return null;
    case 'in':
      if (Array.isArray(value) && value.length > 0 && value.length <= MAX_IN_VALUES && value.every(isScalar)) {
        return { column, operator, value: value as Scalar[] };
      }
      issues.push({ path, message: `expected a non-empty array of at most ${MAX_IN_VALUES} values` });
      return null;
    case 'is_null':
      if (typeof value === 'boolean') return { column, operator, value };
      issues.push({ path, message: 'expected true or false' });
      return null;
    default:
      issues.push({ path, message: `unknown operator "${operator}"; expected one of ${FILTER_OPERATORS.join(', ')}` });
      return null;
  }
}

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}
