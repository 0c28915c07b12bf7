import { transactionAuditEntry, withKeyColumns } from '../../src/application/database/writes/transaction-audit';
import type { RowWrite } from '../../src/domain/database/row-write';
import type { TransactionSpec } from '../../src/domain/database/transaction-spec';

const table = (name: string, primaryKey: string[]) => ({ name, primaryKey, columns: new Map() }) as unknown as RowWrite['table'];
const write = (overrides: Partial<RowWrite>): RowWrite =>
  ({ operation: 1, kind: 'insert', table: table('projects', ['id']), values: {}, filters: [], conflictColumns: [], returning: ['title'], owner: null, ...overrides }) as unknown as RowWrite;

describe('the audit entry of a data transaction', () => {
  it('adds the key columns to RETURNING only when missing, and strips them back out', () => {
    const keyed = withKeyColumns(write({ returning: ['title'] }))!;
    expect(keyed.write.returning).toEqual(['title', 'id']);
    expect(keyed.strip({ title: 'T', id: 'p1' })).toEqual({ title: 'T' });
    expect(withKeyColumns(write({ returning: ['id', 'title'] }))).toBeNull();
  });

  it('names tables, kinds and row keys, never values; composite keys by column; at most 100 ids per operation', () => {
    const spec: TransactionSpec = {
      tables: ['projects', 'file_metadata'],
      steps: [
        { kind: 'row', write: write({ operation: 1, kind: 'update', values: { title: 'secret' } }) },
        { kind: 'row', write: write({ operation: 2, kind: 'delete', table: table('file_metadata', ['file_id', 'key']) }) },
        { kind: 'redis', operation: 3, command: { op: 'set', key: 'k', value: 'secret value', ttlSeconds: null } },
      ],
    };
    const many = Array.from({ length: 150 }, (_, i) => ({ id: `p${i}`, title: 'secret' }));
    const entry = transactionAuditEntry('tx_1', spec, new Map<number, Array<Record<string, unknown>>>([[1, many], [2, [{ file_id: 'f', key: 'k1', value: 'secret' }]]]));
    expect(entry).toMatchObject({ action: 'data.transaction', targetType: 'transaction', targetId: 'tx_1', outcome: 'success' });
    const operations = entry.details!['operations'] as Array<Record<string, unknown>>;
    expect(operations[0]).toMatchObject({ table: 'projects', kind: 'update', row_count: 150 });
    expect(operations[0]!['row_ids']).toHaveLength(100);
    expect(operations[1]).toEqual({ operation: 2, database: 'postgresql', table: 'file_metadata', kind: 'delete', row_count: 1, row_ids: [{ file_id: 'f', key: 'k1' }] });
    expect(operations[2]).toEqual({ operation: 3, database: 'redis', kind: 'set', key: 'k' });
    expect(JSON.stringify(entry)).not.toContain('secret');
  });
});
