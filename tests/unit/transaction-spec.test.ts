import type { RowWrite } from '../../src/domain/database/row-write';
import { InvalidTransaction } from '../../src/domain/database/transaction-errors';
import { buildTransactionSpec, type RawOperation } from '../../src/domain/database/transaction-spec';
import { aCaller } from '../support/caller-builder';
import { shippedSchema } from '../support/table-schemas';

const schema = shippedSchema();
const user = aCaller().build();
const admin = aCaller().withRole('admin').build();
const pg = (operation: string, table: string, extra: Partial<RawOperation> = {}): RawOperation => ({ database: 'postgresql', operation, table, ...extra }) as RawOperation;
const redisOp = (operation: string, key: string, extra: Record<string, unknown> = {}): RawOperation => ({ database: 'redis', operation, key, ...extra });

function issuesOf(operations: RawOperation[], caller = user): Array<[number, string, string]> {
  try {
    buildTransactionSpec(operations, schema, caller);
  } catch (error) {
    if (!(error instanceof InvalidTransaction)) throw error;
    return (error.details.issues as Array<{ operation: number; path: string; message: string }>).map((i) => [i.operation, i.path, i.message]);
  }
  throw new Error('expected the transaction to be refused');
}

function writeOf(operation: RawOperation, caller = user): RowWrite {
  const step = buildTransactionSpec([operation], schema, caller).steps[0];
  if (step?.kind !== 'row') throw new Error('not a row write');
  return step.write;
}

describe('buildTransactionSpec', () => {
  it("gives a non-admin's insert and upsert the caller as owner, whatever they send; an admin's is taken as sent", () => {
    const other = '7d2c8e1a-0000-4000-8000-000000000000';
    expect(writeOf(pg('insert', 'projects', { data: { title: 't', user_id: other } })).values.user_id).toBe(user.userId);
    expect(writeOf(pg('upsert', 'projects', { data: { title: 't' }, onConflict: ['id'] })).values.user_id).toBe(user.userId);
    expect(writeOf(pg('insert', 'users', { data: { email: 'a@b.c', password_hash: 'x' } })).values.id).toBe(user.userId);
    expect(writeOf(pg('insert', 'projects', { data: { title: 't', user_id: other } }), admin).values.user_id).toBe(other);
  });

  it('scopes by the owner column, the user row itself, or the parent; not at all for an admin', () => {
    expect(writeOf(pg('delete', 'projects', { filters: { status: 'x' } })).owner).toEqual({ kind: 'column', column: 'user_id', type: 'uuid', userId: user.userId });
    expect(writeOf(pg('delete', 'users', { filters: { first_name: 'x' } })).owner).toMatchObject({ kind: 'column', column: 'id' });
    expect(writeOf(pg('delete', 'content_analysis', { filters: { analysis_type: 'x' } })).owner).toMatchObject({
      kind: 'parent',
      column: 'project_id',
      parentTable: 'projects',
      parentKey: 'id',
      parentOwnerColumn: 'user_id',
    });
    expect(writeOf(pg('delete', 'projects', { filters: { status: 'x' } }), admin).owner).toEqual({ kind: 'none' });
  });

  it('refuses, for a non-admin, moving a row to another owner, admin-only columns, and orphan child rows', () => {
    expect(
      issuesOf([
        pg('update', 'projects', { filters: { status: 'x' }, data: { user_id: '7d2c8e1a-0000-4000-8000-000000000000' } }),
        pg('update', 'users', { filters: { id: user.userId }, data: { role: 'admin', subscription_type: 'premium' } }),
        pg('insert', 'content_analysis', { data: { analysis_type: 'a', result: {} } }),
        pg('update', 'content_analysis', { filters: { analysis_type: 'a' }, data: { project_id: null } }),
      ]),
    ).toEqual([
      [1, 'operations.0.data.user_id', 'only an admin may give a row to another owner'],
      [2, 'operations.1.data.role', 'only an admin may write role'],
      [2, 'operations.1.data.subscription_type', 'only an admin may write subscription_type'],
      [3, 'operations.2.data.project_id', 'a content_analysis row must name a projects row of yours'],
      [4, 'operations.3.data.project_id', 'a content_analysis row must name a projects row of yours'],
    ]);
    expect(writeOf(pg('update', 'projects', { filters: { id: 'x' }, data: { user_id: user.userId.toUpperCase() } })).values.user_id).toBe(user.userId.toUpperCase());
  });

  it('answers tables a caller may not reach exactly like tables that do not exist', () => {
    const ops = ['no_such', 'feature_flags', 'schema_migrations', 'data_outbox'].map((table) => pg('insert', table, { data: { name: 'x' } }));
    expect(issuesOf(ops).map(([op, path]) => [op, path])).toEqual([
      [1, 'operations.0.table'],
      [2, 'operations.1.table'],
      [3, 'operations.2.table'],
      [4, 'operations.3.table'],
    ]);
    // An admin may write a table without an owner, never the service's own bookkeeping.
    expect(issuesOf(ops, admin).map(([op]) => op)).toEqual([1, 3, 4]);
  });

  it('needs filters on update and delete, data on writes, on_conflict naming a unique key on upsert', () => {
    expect(
      issuesOf([
        pg('update', 'projects', { data: { title: 'x' } }),
        pg('delete', 'projects', { filters: {} }),
        pg('insert', 'projects', { data: {} }),
        pg('upsert', 'projects', { data: { title: 'x' } }),
        pg('upsert', 'users', { data: { first_name: 'x' }, onConflict: ['first_name'] }),
        pg('delete', 'projects', { filters: { id: 'x' }, data: { title: 'x' } }),
        pg('insert', 'projects', { data: { title: 'x' }, filters: { id: 'x' } }),
        pg('truncate', 'projects'),
      ]).map(([op, path]) => [op, path]),
    ).toEqual([
      [1, 'operations.0.filters'],
      [2, 'operations.1.filters'],
      [3, 'operations.2.data'],
      [4, 'operations.3.on_conflict'],
      [5, 'operations.4.on_conflict'],
      [6, 'operations.5.data'],
      [7, 'operations.6.filters'],
      [8, 'operations.7.operation'],
    ]);
    expect(writeOf(pg('upsert', 'users', { data: { email: 'a@b.c', password_hash: 'x' }, onConflict: ['email'] })).conflictColumns).toEqual(['email']);
  });

  it('checks columns: unknown ones, secret ones in filters and returning, value shapes; JSON columns take any JSON', () => {
    expect(
      issuesOf([
        pg('insert', 'projects', { data: { title: { nested: true }, nope: 1 } }),
        pg('update', 'users', { filters: { password_hash: 'x' }, data: { first_name: 'x' } }),
        pg('insert', 'files', { data: { original_name: 'a' }, returning: ['id', 'encryption_key_id'] }),
      ]).map(([op, path]) => [op, path]),
    ).toEqual([
      [1, 'operations.0.data.title'],
      [1, 'operations.0.data.nope'],
      [2, 'operations.1.filters.password_hash'],
      [3, 'operations.2.returning.1'],
    ]);
    const write = writeOf(pg('insert', 'projects', { data: { title: 't', settings: [1, { a: null }] } }));
    expect(write.values.settings).toBe('[1,{"a":null}]');
    expect(write.returning).toEqual(['id', 'user_id', 'title', 'status', 'settings', 'created_at']);
    // Secret columns can be written (a user row needs its hash), never returned.
    expect(writeOf(pg('insert', 'users', { data: { email: 'a@b.c', password_hash: 'h' } })).returning).not.toContain('password_hash');
  });

  it("places Redis keys in the caller's namespace; an admin's in the shared one", () => {
    const spec = buildTransactionSpec([redisOp('set', 'a:b', { value: 1, ttl: 60 }), redisOp('hset', 'h', { fields: { x: true } })], schema, user);
    expect(spec.steps).toEqual([
      { kind: 'redis', operation: 1, command: { op: 'set', key: `data:user:${user.userId}:a:b`, value: '1', ttlSeconds: 60 } },
      { kind: 'redis', operation: 2, command: { op: 'hset', key: `data:user:${user.userId}:h`, fields: { x: 'true' } } },
    ]);
    expect(buildTransactionSpec([redisOp('del', 'a')], schema, admin).steps[0]).toMatchObject({ command: { key: 'data:a' } });
    expect(buildTransactionSpec([redisOp('hdel', 'h', { field: 'x' })], schema, admin).steps[0]).toMatchObject({ command: { fields: ['x'] } });
  });

  it('names the tables whose reads go stale: those written, and on delete those the delete cascades to', () => {
    const spec = (ops: RawOperation[]) => buildTransactionSpec(ops, schema, admin).tables.sort();
    expect(spec([pg('insert', 'projects', { data: { title: 't' } }), redisOp('del', 'k')])).toEqual(['projects']);
    expect(spec([pg('update', 'projects', { filters: { id: 'x' }, data: { title: 't' } })])).toEqual(['projects']);
    expect(spec([pg('delete', 'projects', { filters: { id: 'x' } })])).toEqual(['content_analysis', 'media_assets', 'projects']);
    expect(spec([pg('delete', 'users', { filters: { id: 'x' } })])).toEqual(['content_analysis', 'files', 'media_assets', 'projects', 'users']);
    expect(spec([redisOp('incr', 'k')])).toEqual([]);
  });
});
