import type { Caller } from '../auth/caller';
import { parseFilters, usableColumn } from './query-spec';
import { buildRedisCommand, type RawRedisOperation, type RedisCommand } from './redis-command';
import { scopeOf, type RowScope } from './row-scope';
import { ownerRuleOf } from './owner-rule';
import { ROW_WRITE_KINDS, tablesWritten, type RowWrite, type RowWriteKind } from './row-write';
import { ADMIN_ONLY_COLUMNS, INTERNAL_TABLES, visibleColumns } from './table-policy';
import type { SchemaSnapshot, TableSchema } from './table-schema';
import { InvalidTransaction, type OperationIssue } from './transaction-errors';

export const MAX_OPERATIONS = 100;

/** A PostgreSQL operation as it arrives (snake_case already mapped), before any name is trusted. */
export interface RawRowOperation {
  database: 'postgresql';
  operation: string;
  table: string;
  data?: Record<string, unknown>;
  filters?: Record<string, unknown>;
  onConflict?: string[];
  returning?: string[];
}

export type RawOperation = RawRowOperation | RawRedisOperation;

export type TransactionStep = { kind: 'row'; write: RowWrite } | { kind: 'redis'; operation: number; command: RedisCommand };

/** A transaction whose every operation was checked against the schema and the caller's rights. */
export interface TransactionSpec {
  steps: TransactionStep[];
  /** Tables whose cached reads the transaction makes stale. */
  tables: string[];
}

/**
 * Validates every operation before anything runs and collects every problem at once, each naming
 * its operation (1-based) and the offending part: a 400 that executed nothing.
 */
export function buildTransactionSpec(operations: readonly RawOperation[], schema: SchemaSnapshot, caller: Caller): TransactionSpec {
  const scope = scopeOf(caller);
  const issues: OperationIssue[] = [];
  if (operations.length === 0 || operations.length > MAX_OPERATIONS) {
    issues.push({ operation: 0, path: 'operations', message: `expected 1 to ${MAX_OPERATIONS} operations` });
  }
  const steps: TransactionStep[] = [];
  operations.forEach((raw, i) => {
    const operation = i + 1;
    if (raw.database === 'redis') {
      const command = buildRedisCommand(raw, scope, operation, issues);
      if (command) steps.push({ kind: 'redis', operation, command });
    } else if (raw.database === 'postgresql') {
      const write = buildRowWrite(raw, schema, scope, operation, issues);
      if (write) steps.push({ kind: 'row', write });
    } else {
      issues.push({ operation, path: `operations.${i}.database`, message: 'expected postgresql or redis' });
    }
  });
  if (issues.length > 0) throw new InvalidTransaction(issues);
  const writes = steps.flatMap((s) => (s.kind === 'row' ? [s.write] : []));
  return { steps, tables: tablesWritten(writes, schema) };
}

function buildRowWrite(raw: RawRowOperation, schema: SchemaSnapshot, scope: RowScope, operation: number, issues: OperationIssue[]): RowWrite | null {
  const at = `operations.${operation - 1}`;
  const before = issues.length;
  const issue = (part: string, message: string) => issues.push({ operation, path: `${at}.${part}`, message });
  const kind = raw.operation as RowWriteKind;
  if (!ROW_WRITE_KINDS.includes(kind)) {
    issue('operation', `unknown operation "${raw.operation}"; expected one of ${ROW_WRITE_KINDS.join(', ')}`);
    return null;
  }
  const found = INTERNAL_TABLES.has(raw.table) ? undefined : schema.tables.get(raw.table);
  const owner = found ? ownerRuleOf(found, schema, scope) : null;
  // A table a non-admin has no ownership rule for is answered exactly like a table that does not exist.
  if (!found || !owner) {
    issue('table', `unknown table "${raw.table}"`);
    return null;
  }
  const table: TableSchema = found;

  const writesData = kind !== 'delete';
  const values: Record<string, unknown> = {};
  if (writesData) {
    const data = raw.data ?? {};
    if (Object.keys(data).length === 0) issue('data', `${kind} needs data: an object of column values`);
    for (const [column, value] of Object.entries(data)) {
      const problem = columnProblem(table, column, value, scope);
      if (problem) issue(`data.${column}`, problem);
      else values[column] = bindable(table, column, value);
    }
  } else if (raw.data !== undefined) {
    issue('data', 'delete takes no data');
  }

  if (owner.kind === 'column') {
    const sent = values[owner.column];
    if (kind === 'update') {
      if (sent !== undefined && !sameId(sent, owner.userId)) issue(`data.${owner.column}`, 'only an admin may give a row to another owner');
    } else if (writesData) {
      values[owner.column] = owner.userId; // a non-admin's new row is theirs, whatever the request says
    }
  } else if (owner.kind === 'parent' && writesData) {
    const parent = values[owner.column];
    const named = parent !== undefined && parent !== null;
    if (kind === 'update' ? parent === null : !named) {
      issue(`data.${owner.column}`, `a ${table.name} row must name a ${owner.parentTable} row of yours`);
    }
  }

  let filters: RowWrite['filters'] = [];
  if (kind === 'update' || kind === 'delete') {
    if (!raw.filters || Object.keys(raw.filters).length === 0) {
      issue('filters', `${kind} needs filters; an operation on every row must say so with a condition`);
    } else {
      const found: Array<{ path: string; message: string }> = [];
      filters = parseFilters(raw.filters, table, found, `${at}.filters`);
      for (const f of found) issues.push({ operation, ...f });
    }
  } else if (raw.filters !== undefined) {
    issue('filters', `${kind} takes no filters`);
  }

  const conflictColumns = kind === 'upsert' ? conflictTarget(table, raw.onConflict, issue) : [];
  if (kind !== 'upsert' && raw.onConflict !== undefined) issue('on_conflict', 'only upsert takes on_conflict');

  const returning = raw.returning && raw.returning.length > 0 ? raw.returning : visibleColumns(table);
  returning.forEach((column, i) => {
    if (!usableColumn(table, column)) issue(`returning.${i}`, `unknown column "${column}"`);
  });

  if (issues.length > before) return null;
  return { operation, kind, table, values, filters, conflictColumns, returning: [...new Set(returning)], owner };
}

/** What is wrong with writing `value` into `column`, or null. */
function columnProblem(table: TableSchema, column: string, value: unknown, scope: RowScope): string | null {
  const schema = table.columns.get(column);
  if (!schema) return `unknown column "${column}"`;
  if (scope.kind !== 'all' && ADMIN_ONLY_COLUMNS[table.name]?.includes(column)) return `only an admin may write ${column}`;
  if (value === null || isJson(schema.type)) return null;
  if (schema.type.endsWith('[]')) return Array.isArray(value) && value.every(isScalar) ? null : `expected an array for a column of type ${schema.type}`;
  return isScalar(value) ? null : `expected a single value for a column of type ${schema.type}`;
}

/** JSON columns get their value serialized; pg would otherwise send a JS array as a PostgreSQL array. */
function bindable(table: TableSchema, column: string, value: unknown): unknown {
  return value !== null && isJson(table.columns.get(column)?.type ?? '') ? JSON.stringify(value) : value;
}

function conflictTarget(table: TableSchema, raw: string[] | undefined, issue: (part: string, message: string) => void): string[] {
  if (!raw || raw.length === 0) {
    issue('on_conflict', 'upsert needs on_conflict: the columns of a unique key');
    return [];
  }
  const wanted = [...new Set(raw)].sort();
  const match = table.uniqueKeys.find((key) => key.length === wanted.length && [...key].sort().every((c, i) => c === wanted[i]));
  if (!match) {
    const keys = table.uniqueKeys.map((key) => `[${key.join(', ')}]`).join(', ');
    issue('on_conflict', `not a unique key of ${table.name}; expected one of ${keys || '(none)'}`);
  }
  return wanted;
}

const isJson = (type: string) => type === 'json' || type === 'jsonb';
const isScalar = (v: unknown) => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
const sameId = (a: unknown, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
