import { randomUUID } from 'node:crypto';
import type { DatabaseSession } from '../../../application/ports/database-session.port';
import type { Row, RowWriter } from '../../../application/ports/row-writer.port';
import type { Filter } from '../../../domain/database/query-spec';
import type { OwnerRule } from '../../../domain/database/owner-rule';
import type { RowWrite } from '../../../domain/database/row-write';
import type { TableSchema } from '../../../domain/database/table-schema';
import { WriteRejected } from '../../../domain/database/transaction-errors';
import { inMemorySession, type InMemoryTables, type StoredRow } from './in-memory-tables';
import { isUuid } from '../../../domain/shared/uuid';


/**
 * The fake RowWriter: PostgreSQL's semantics that the use cases rely on (scoping, parents, unique
 * keys, NOT NULL, uuid/integer/length checks), none of its type system. Column defaults are a new
 * uuid for uuid keys, the time for timestamps, null otherwise.
 */
export class InMemoryRowWriter implements RowWriter {
  async write(session: DatabaseSession, write: RowWrite): Promise<Row[]> {
    const tables = inMemorySession(session).tables;
    if (!inMemorySession(session).inTransaction) throw new Error('writes need an open transaction');
    const rows = tables.table(write.table.name);
    const owned = (row: StoredRow) => ownedBy(write.owner, row, tables);
    checkFilterValues(write);
    this.checkParent(write, tables);
    const pick = (row: StoredRow) => Object.fromEntries(write.returning.map((c) => [c, row[c] ?? null]));
    switch (write.kind) {
      case 'insert':
        return [pick(this.insert(write, rows))];
      case 'upsert': {
        const existing = rows.find((row) => write.conflictColumns.every((c) => same(row[c], write.values[c])));
        if (!existing) return [pick(this.insert(write, rows))];
        // Someone else's row: refused exactly as an insert of that key is (nothing says whose it is).
        if (!owned(existing)) return [pick(this.insert(write, rows))];
        const changes = Object.fromEntries(Object.entries(write.values).filter(([c]) => !write.conflictColumns.includes(c)));
        return [pick(this.update(write.table, rows, existing, changes))];
      }
      case 'update':
        return rows.filter((row) => owned(row) && matches(row, write.filters)).map((row) => pick(this.update(write.table, rows, row, write.values)));
      case 'delete': {
        const gone = rows.filter((row) => owned(row) && matches(row, write.filters));
        tables.rows.set(write.table.name, rows.filter((row) => !gone.includes(row)));
        return gone.map(pick);
      }
    }
  }

  async withinSavepoint<T>(session: DatabaseSession, work: () => Promise<T>): Promise<T> {
    const s = inMemorySession(session);
    s.savepoint();
    try {
      const result = await work();
      s.releaseSavepoint();
      return result;
    } catch (error) {
      s.rollbackToSavepoint();
      throw error;
    }
  }

  private insert(write: RowWrite, rows: StoredRow[]): StoredRow {
    const row: StoredRow = {};
    for (const column of write.table.columns.values()) {
      row[column.name] = column.name in write.values ? write.values[column.name] : column.hasDefault ? defaultOf(column.type) : null;
    }
    check(write.table, row, rows, null);
    rows.push(row);
    return row;
  }

  private update(table: TableSchema, rows: StoredRow[], row: StoredRow, changes: Record<string, unknown>): StoredRow {
    const next = { ...row, ...changes };
    check(table, next, rows, row);
    Object.assign(row, changes);
    return row;
  }

  private checkParent(write: RowWrite, tables: InMemoryTables): void {
    if (write.owner.kind !== 'parent' || write.kind === 'delete') return;
    const parentId = write.values[write.owner.column];
    if (parentId === undefined) return;
    const { owner } = write;
    const found = tables.table(owner.parentTable).some((p) => same(p[owner.parentKey], parentId) && same(p[owner.parentOwnerColumn], owner.userId));
    if (!found) throw new WriteRejected('PARENT_NOT_FOUND', `no ${owner.parentTable} row ${String(parentId)} of yours (${owner.column})`);
  }
}

function ownedBy(owner: OwnerRule, row: StoredRow, tables: InMemoryTables): boolean {
  switch (owner.kind) {
    case 'none':
      return true;
    case 'column':
      return same(row[owner.column], owner.userId);
    case 'parent':
      return tables.table(owner.parentTable).some((p) => same(p[owner.parentKey], row[owner.column]) && same(p[owner.parentOwnerColumn], owner.userId));
  }
}

/** Types, NOT NULL and unique keys, as PostgreSQL would refuse them. */
function check(table: TableSchema, row: StoredRow, rows: StoredRow[], replacing: StoredRow | null): void {
  for (const column of table.columns.values()) {
    const value = row[column.name];
    if (value === null || value === undefined) {
      if (!column.nullable) throw new WriteRejected('INVALID_DATA', `null value in column "${column.name}" of relation "${table.name}" violates not-null constraint`);
      continue;
    }
    const length = /character varying\((\d+)\)/.exec(column.type)?.[1];
    const bad =
      (column.type === 'uuid' && !isUuid(String(value))) ||
      (/^(integer|bigint|smallint)$/.test(column.type) && !/^-?\d+$/.test(String(value))) ||
      (length !== undefined && String(value).length > Number(length));
    if (bad) throw new WriteRejected('INVALID_DATA', `invalid input for type ${column.type}: "${String(value)}"`);
  }
  for (const key of table.uniqueKeys) {
    if (key.some((c) => row[c] === null || row[c] === undefined)) continue;
    if (rows.some((other) => other !== replacing && key.every((c) => same(other[c], row[c])))) {
      throw new WriteRejected('CONFLICT', `duplicate key value violates unique key (${key.join(', ')}) of "${table.name}"`);
    }
  }
}

/** PostgreSQL casts every filter value to its column's type first, refusing one it cannot read. */
function checkFilterValues(write: RowWrite): void {
  for (const filter of write.filters) {
    const type = write.table.columns.get(filter.column)?.type;
    const values = filter.operator === 'in' ? filter.value : filter.operator === 'is_null' || filter.operator === 'like' || filter.operator === 'ilike' ? [] : [filter.value];
    for (const value of values) {
      if (type === 'uuid' && !isUuid(String(value))) throw new WriteRejected('INVALID_DATA', `invalid input syntax for type uuid: "${String(value)}"`);
    }
  }
}

function matches(row: StoredRow, filters: readonly Filter[]): boolean {
  return filters.every((f) => {
    const value = row[f.column];
    switch (f.operator) {
      case 'is_null':
        return (value === null || value === undefined) === f.value;
      case 'in':
        return f.value.some((v) => same(value, v));
      case 'like':
      case 'ilike': {
        const pattern = String(f.value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
        return value !== null && value !== undefined && new RegExp(`^${pattern}$`, f.operator === 'ilike' ? 'is' : 's').test(String(value));
      }
      case 'eq':
        return same(value, f.value);
      case 'neq':
        return value !== null && value !== undefined && !same(value, f.value);
      default: {
        if (value === null || value === undefined) return false;
        const [a, b] = [Number(value), Number(f.value)];
        const order = Number.isNaN(a) || Number.isNaN(b) ? String(value).localeCompare(String(f.value)) : a - b;
        return { gt: order > 0, gte: order >= 0, lt: order < 0, lte: order <= 0 }[f.operator];
      }
    }
  });
}

function same(a: unknown, b: unknown): boolean {
  return a !== null && a !== undefined && b !== null && b !== undefined && String(a).toLowerCase() === String(b).toLowerCase();
}

function defaultOf(type: string): unknown {
  if (type === 'uuid') return randomUUID();
  if (type.startsWith('timestamp')) return new Date();
  return null;
}
