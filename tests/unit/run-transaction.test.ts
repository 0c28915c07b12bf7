import type { RawOperation } from '../../src/domain/database/transaction-spec';
import { InvalidTransaction, TransactionFailed } from '../../src/domain/database/transaction-errors';
import { LeaseNotFound } from '../../src/domain/database/lease';
import { aCaller } from '../support/caller-builder';
import { transactionWorld } from '../support/transaction-world';

const alice = aCaller().build();
const pg = (operation: string, table: string, extra: Record<string, unknown> = {}) => ({ database: 'postgresql', operation, table, ...extra }) as RawOperation;
const redis = (operation: string, key: string, extra: Record<string, unknown> = {}) => ({ database: 'redis', operation, key, ...extra }) as RawOperation;
const aliceKey = (key: string) => `data:user:${alice.userId}:${key}`;

describe('RunTransaction', () => {
  let w: ReturnType<typeof transactionWorld>;
  const run = (operations: RawOperation[], connectionId?: string) =>
    w.runTransaction.execute({ caller: alice, operations, ...(connectionId ? { connectionId } : {}) });
  const failure = (operations: RawOperation[]) =>
    run(operations).then(
      () => {
        throw new Error('expected the transaction to fail');
      },
      (error: unknown) => error as TransactionFailed,
    );
  beforeEach(() => {
    w = transactionWorld();
  });

  it('commits the rows and the outbox together, then applies the effects and invalidates before answering', async () => {
    const result = await run([pg('insert', 'projects', { data: { title: 'A' } }), redis('incr', 'n'), redis('set', 's', { value: 'v', ttl: 10 })]);
    expect(result).toMatchObject({ transactionId: expect.stringMatching(/^tx_[0-9a-f]{24}$/), status: 'committed' });
    expect(result.results).toEqual([
      { operation: 1, status: 'success', data: expect.objectContaining({ title: 'A', user_id: alice.userId }) },
      { operation: 2, status: 'success', data: { applied: true } },
      { operation: 3, status: 'success', data: { applied: true } },
    ]);
    expect(w.rows('projects')).toHaveLength(1);
    await expect(w.store.get(aliceKey('n'))).resolves.toBe('1');
    expect(w.invalidator.calls).toEqual([['projects']]);
    expect(w.outbox.all().map((e) => [e.seq, e.appliedAt !== null])).toEqual([
      [0, true],
      [2, true],
      [3, true],
    ]);
  });

  it('rolls everything back on a failing operation and names it: no row, no outbox entry, no key', async () => {
    const error = await failure([pg('insert', 'projects', { data: { title: 'A' } }), redis('incr', 'n'), pg('insert', 'projects', { data: { status: 'x' } })]);
    expect(error).toBeInstanceOf(TransactionFailed);
    expect(error.code).toBe('INVALID_DATA');
    expect(error.details).toEqual({ transaction_id: expect.stringMatching(/^tx_/), status: 'rolled_back', failed_operation: 3, reason: expect.stringMatching(/not-null/) });
    expect(w.rows('projects')).toEqual([]);
    expect(w.outbox.all()).toEqual([]);
    await expect(w.store.get(aliceKey('n'))).resolves.toBeNull();
    expect(w.invalidator.calls).toEqual([]);
  });

  it('validates before touching the database', async () => {
    await expect(run([pg('insert', 'projects', { data: { title: 'A' } }), pg('update', 'projects', { data: { title: 'B' } })])).rejects.toBeInstanceOf(InvalidTransaction);
    expect(w.sessionsOpened()).toBe(0);
  });

  it('commits and answers pending when Redis fails after the commit; the relay applies the effects later, once', async () => {
    w.effects.down = true;
    w.invalidator.down = true;
    const result = await run([pg('insert', 'projects', { data: { title: 'A' } }), redis('incr', 'n')]);
    expect(result.status).toBe('committed');
    expect(result.results[1]).toEqual({ operation: 2, status: 'pending' });
    expect(w.rows('projects')).toHaveLength(1);
    await expect(w.outbox.hasPendingInvalidations()).resolves.toBe(true);

    w.effects.down = false;
    w.invalidator.down = false;
    await expect(w.relay.execute()).resolves.toBe(0); // still within the grace period of the request that committed it
    w.clock.advance(1_500);
    await expect(w.relay.execute()).resolves.toBe(2);
    await expect(w.relay.execute()).resolves.toBe(0);
    await expect(w.store.get(aliceKey('n'))).resolves.toBe('1');
    expect(w.invalidator.calls).toEqual([['projects']]);
    await expect(w.outbox.hasPendingInvalidations()).resolves.toBe(false);
  });

  it('applies older pending effects before its own, so a later write never lands first', async () => {
    w.effects.down = true;
    await run([redis('set', 'k', { value: 'first' })]);
    w.effects.down = false;
    const second = await run([redis('set', 'k', { value: 'second' })]);
    expect(second.results[0]?.status).toBe('success');
    await expect(w.store.get(aliceKey('k'))).resolves.toBe('second');
    expect(w.outbox.all().every((e) => e.appliedAt !== null)).toBe(true);
  });

  it('reports a Redis operation refused for good as failed; the rest of the transaction stands', async () => {
    await run([redis('set', 'word', { value: 'abc' })]);
    const result = await run([pg('insert', 'projects', { data: { title: 'A' } }), redis('incr', 'word')]);
    expect(result.results[1]).toEqual({ operation: 2, status: 'failed', error: 'value is not an integer' });
    expect(w.rows('projects')).toHaveLength(1);
  });

  describe('with a connection_id', () => {
    it('commits on its own on a lease without an open transaction', async () => {
      const session = await w.leases.open('conn_1', alice);
      const result = await run([pg('insert', 'projects', { data: { title: 'A' } }), redis('incr', 'n')], 'conn_1');
      expect(result.status).toBe('committed');
      expect(session.inTransaction).toBe(false);
      await expect(w.store.get(aliceKey('n'))).resolves.toBe('1');
      expect(w.sessionsOpened()).toBe(0);
    });

    it("runs inside the lease's transaction without committing it, and defers the effects to its commit", async () => {
      const session = await w.leases.open('conn_1', alice);
      await session.begin();
      const result = await run([pg('insert', 'projects', { data: { title: 'A' } }), redis('incr', 'n')], 'conn_1');
      expect(result.status).toBe('pending_commit');
      expect(result.results[1]).toEqual({ operation: 2, status: 'pending' });
      expect(session.inTransaction).toBe(true);
      expect(w.leases.leases.get('conn_1')?.deferred).toEqual([{ tables: ['projects'], outboxTransactionId: result.transactionId }]);
      await expect(w.store.get(aliceKey('n'))).resolves.toBeNull();

      // A failing request undoes only itself; the interactive transaction goes on.
      const failed = run([pg('insert', 'projects', { data: { title: 'B' } }), pg('insert', 'projects', { data: { status: 'no title' } })], 'conn_1');
      await expect(failed).rejects.toMatchObject({ code: 'INVALID_DATA', details: { failed_operation: 2, status: 'rolled_back' } });
      expect(session.inTransaction).toBe(true);
      expect(w.rows('projects').map((r) => r.title)).toEqual(['A']);
      await session.commit();
      await w.postCommit.apply(w.leases.leases.get('conn_1')!.deferred[0]!);
      await expect(w.store.get(aliceKey('n'))).resolves.toBe('1');
    });

    it("refuses a lease that is not the caller's", async () => {
      await w.leases.open('conn_1', aCaller().build());
      await expect(run([pg('insert', 'projects', { data: { title: 'A' } })], 'conn_1')).rejects.toBeInstanceOf(LeaseNotFound);
      expect(w.rows('projects')).toEqual([]);
    });
  });
});
