import type { NewAuditEntry } from '../../../domain/audit/audit-entry';
import type { RowWrite } from '../../../domain/database/row-write';
import type { TransactionSpec } from '../../../domain/database/transaction-spec';
import type { Row } from '../../ports/row-writer.port';

/** Rows named by their key in an audit entry: at most this many per operation, then a count only. */
const MAX_IDS_PER_OPERATION = 100;

/**
 * The write with its table's key columns added to RETURNING (so the entry can name the rows), and how
 * to drop the added columns from the rows the caller gets back. Null when nothing needs adding.
 */
export function withKeyColumns(write: RowWrite): { write: RowWrite; strip: (row: Row) => Row } | null {
  const missing = write.table.primaryKey.filter((column) => !write.returning.includes(column));
  if (missing.length === 0) return null;
  return {
    write: { ...write, returning: [...write.returning, ...missing] },
    strip: (row) => Object.fromEntries(Object.entries(row).filter(([column]) => !missing.includes(column))),
  };
}

/** The entry of one committed data transaction: tables, kinds and affected row keys, never a value. */
export function transactionAuditEntry(transactionId: string, spec: TransactionSpec, rows: ReadonlyMap<number, Row[]>): NewAuditEntry {
  const operations = spec.steps.map((step) => {
    if (step.kind === 'redis') return { operation: step.operation, database: 'redis', kind: step.command.op, key: step.command.key };
    const affected = rows.get(step.write.operation) ?? [];
    const ids = affected.slice(0, MAX_IDS_PER_OPERATION).map((row) => keyOf(step.write, row));
    return { operation: step.write.operation, database: 'postgresql', table: step.write.table.name, kind: step.write.kind, row_count: affected.length, row_ids: ids };
  });
  return {
    action: 'data.transaction',
    targetType: 'transaction',
    targetId: transactionId,
    outcome: 'success',
    details: { tables: spec.tables, operations },
  };
}

function keyOf(write: RowWrite, row: Row): unknown {
  const key = write.table.primaryKey;
  if (key.length === 1) return stringOf(row[key[0]!]);
  return Object.fromEntries(key.map((column) => [column, stringOf(row[column])]));
}

function stringOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : String(value);
}
