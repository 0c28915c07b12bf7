import { randomUUID } from 'node:crypto';
import type { DatabaseSession } from '../../src/application/ports/database-session.port';
import type { Row, RowWriter } from '../../src/application/ports/row-writer.port';
import type { Caller } from '../../src/domain/auth/caller';
import type { RowWrite } from '../../src/domain/database/row-write';
import type { SchemaSnapshot } from '../../src/domain/database/table-schema';
import { WriteRejected } from '../../src/domain/database/transaction-errors';
import { buildTransactionSpec, type RawRowOperation } from '../../src/domain/database/transaction-spec';
import { aCaller } from '../support/caller-builder';

export interface RowWriterUnderTest {
  writer: RowWriter;
  schema: SchemaSnapshot;
  /** A session with an open transaction, rolled back by close(). */
  session: DatabaseSession;
  close(): Promise<void>;
}

/**
 * What every RowWriter promises, PostgreSQL or the fake: scoping by owner and parent, the caller as
 * owner of what they insert, RETURNING, and the same refusals for the same faults.
 */
export function rowWriterContract(name: string, make: () => Promise<RowWriterUnderTest>): void {
  describe(`${name} (RowWriter contract)`, () => {
    let s: RowWriterUnderTest;
    const alice = aCaller().build();
    const bob = aCaller().build();
    const admin = aCaller().withRole('admin').build();

    const writeOf = (caller: Caller, op: Omit<RawRowOperation, 'database'>): RowWrite => {
      const step = buildTransactionSpec([{ database: 'postgresql', ...op }], s.schema, caller).steps[0];
      if (step?.kind !== 'row') throw new Error('not a row write');
      return step.write;
    };
    const write = (caller: Caller, op: Omit<RawRowOperation, 'database'>): Promise<Row[]> => s.writer.write(s.session, writeOf(caller, op));
    /** A refused write inside a savepoint, as PostgreSQL aborts a transaction on any failed statement. */
    const refusal = (caller: Caller, op: Omit<RawRowOperation, 'database'>) =>
      s.writer.withinSavepoint(s.session, () => write(caller, op)).then(
        () => {
          throw new Error('expected the write to be refused');
        },
        (error: unknown) => {
          expect(error).toBeInstanceOf(WriteRejected);
          return (error as WriteRejected).code;
        },
      );
    const project = async (owner: Caller, title: string) =>
      (await write(owner, { operation: 'insert', table: 'projects', data: { title }, returning: ['id'] }))[0]?.id as string;

    beforeEach(async () => {
      s = await make();
      for (const caller of [alice, bob]) {
        await write(caller, { operation: 'insert', table: 'users', data: { email: `${caller.userId}@example.com`, password_hash: 'h' } });
      }
    });
    afterEach(() => s.close());

    it('inserts and returns the asked columns, the caller as owner', async () => {
      const rows = await write(alice, { operation: 'insert', table: 'projects', data: { title: 'A', user_id: bob.userId }, returning: ['title', 'user_id'] });
      expect(rows).toEqual([{ title: 'A', user_id: alice.userId }]);
    });

    it("updates and deletes only the caller's rows, returning them; an admin's reach every row", async () => {
      const [a, b] = [await project(alice, 'same'), await project(bob, 'same')];
      const updated = await write(alice, { operation: 'update', table: 'projects', filters: { title: 'same' }, data: { status: 'active' }, returning: ['id', 'status'] });
      expect(updated).toEqual([{ id: a, status: 'active' }]);
      expect(await write(alice, { operation: 'delete', table: 'projects', filters: { id: b } })).toEqual([]);
      const deleted = await write(admin, { operation: 'delete', table: 'projects', filters: { title: 'same' }, returning: ['id'] });
      expect(deleted.map((r) => r.id).sort()).toEqual([a, b].sort());
    });

    it('applies every filter operator', async () => {
      for (const title of ['p1', 'p2', 'q3']) await project(alice, title);
      const touched = async (filters: Record<string, unknown>) =>
        (await write(alice, { operation: 'update', table: 'projects', filters, data: { status: 'x' }, returning: ['title'] })).map((r) => r.title).sort();
      expect(await touched({ title: { in: ['p1', 'q3'] } })).toEqual(['p1', 'q3']);
      expect(await touched({ title: { like: 'p%' } })).toEqual(['p1', 'p2']);
      expect(await touched({ title: { ilike: 'Q_' } })).toEqual(['q3']);
      expect(await touched({ title: { gt: 'p1', lte: 'q3' } })).toEqual(['p2', 'q3']);
      expect(await touched({ title: { neq: 'p1' }, status: { is_null: false } })).toEqual(['p2', 'q3']);
    });

    it("upserts: inserts, then updates on conflict; never over someone else's row", async () => {
      const id = randomUUID();
      const upsert = (caller: Caller, title: string) =>
        write(caller, { operation: 'upsert', table: 'projects', data: { id, title }, onConflict: ['id'], returning: ['id', 'title', 'user_id'] });
      expect(await upsert(alice, 'first')).toEqual([{ id, title: 'first', user_id: alice.userId }]);
      expect(await upsert(alice, 'second')).toEqual([{ id, title: 'second', user_id: alice.userId }]);
      expect(await refusal(bob, { operation: 'upsert', table: 'projects', data: { id, title: 'stolen' }, onConflict: ['id'] })).toBe('CONFLICT');
      expect(await write(alice, { operation: 'update', table: 'projects', filters: { id }, data: { status: 's' }, returning: ['title'] })).toEqual([{ title: 'second' }]);
    });

    it("keeps child rows under their owner's parents", async () => {
      const [mine, theirs] = [await project(alice, 'mine'), await project(bob, 'theirs')];
      const child = (projectId: string): Omit<RawRowOperation, 'database'> => ({
        operation: 'insert',
        table: 'content_analysis',
        data: { project_id: projectId, analysis_type: 'scenes', result: { n: 1 } },
        returning: ['id', 'project_id'],
      });
      const [created] = await write(alice, child(mine));
      expect(created).toEqual({ id: expect.any(String), project_id: mine });
      expect(await refusal(alice, child(theirs))).toBe('PARENT_NOT_FOUND');
      expect(await refusal(alice, child(randomUUID()))).toBe('PARENT_NOT_FOUND');
      expect(await refusal(alice, { operation: 'update', table: 'content_analysis', filters: { id: created?.id }, data: { project_id: theirs } })).toBe('PARENT_NOT_FOUND');
      await write(bob, child(theirs));
      expect(await write(alice, { operation: 'delete', table: 'content_analysis', filters: { analysis_type: 'scenes' }, returning: ['project_id'] })).toEqual([{ project_id: mine }]);
    });

    it('refuses a taken unique key as a conflict, and values their column refuses as invalid data', async () => {
      expect(await refusal(admin, { operation: 'insert', table: 'users', data: { email: `${alice.userId}@example.com`, password_hash: 'h' } })).toBe('CONFLICT');
      expect(await refusal(alice, { operation: 'insert', table: 'projects', data: { status: 'no title' } })).toBe('INVALID_DATA');
      expect(await refusal(alice, { operation: 'update', table: 'projects', filters: { id: 'not-a-uuid' }, data: { title: 'x' } })).toBe('INVALID_DATA');
      expect(await refusal(alice, { operation: 'insert', table: 'projects', data: { title: 'x'.repeat(256) } })).toBe('INVALID_DATA');
    });

    it('undoes only what a failed savepoint wrote; the transaction goes on', async () => {
      const kept = await project(alice, 'kept');
      await expect(
        s.writer.withinSavepoint(s.session, async () => {
          await project(alice, 'undone');
          await write(alice, { operation: 'insert', table: 'projects', data: { status: 'no title' } });
        }),
      ).rejects.toBeInstanceOf(WriteRejected);
      const titles = await write(alice, { operation: 'update', table: 'projects', filters: { title: { in: ['kept', 'undone'] } }, data: { status: 'seen' }, returning: ['id'] });
      expect(titles).toEqual([{ id: kept }]);
      await expect(s.writer.withinSavepoint(s.session, () => project(alice, 'saved'))).resolves.toEqual(expect.any(String));
    });
  });
}
