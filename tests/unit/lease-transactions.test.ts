import type { InMemoryConnectionPools } from '../../src/adapters/in-memory/fakes/in-memory-connection-pools';
import { NoActiveTransaction, TransactionAlreadyActive } from '../../src/domain/database/lease';
import { TransactionAborted } from '../../src/domain/shared/errors';
import { leaseSessionsContract } from '../contract/lease-sessions.contract';
import { aCaller } from '../support/caller-builder';
import { leasesWorld } from '../support/leases-world';

async function withLease() {
  const w = leasesWorld();
  const caller = aCaller().build();
  const { lease } = await w.acquire.execute({ caller, serviceName: 'svc', databaseType: 'postgresql', operationType: 'write' });
  const input = { caller, connectionId: lease.id };
  const session = () => (w.pools as InMemoryConnectionPools).sessions[0]!;
  return { w, caller, id: lease.id, input, session };
}

describe('interactive transactions on a lease', () => {
  it('begins, commits and rolls back, answering the state', async () => {
    const { w, id, input, session } = await withLease();
    await expect(w.begin.execute(input)).resolves.toEqual({ connectionId: id, transactionStatus: 'active' });
    await expect(w.commit.execute(input)).resolves.toEqual({ connectionId: id, transactionStatus: 'committed' });
    await w.begin.execute(input);
    await expect(w.rollback.execute(input)).resolves.toEqual({ connectionId: id, transactionStatus: 'rolled_back' });
    expect(session().log).toEqual(['begin', 'commit', 'begin', 'rollback']);
  });

  it('refuses begin twice, and commit or rollback without begin', async () => {
    const { w, input } = await withLease();
    await expect(w.commit.execute(input)).rejects.toBeInstanceOf(NoActiveTransaction);
    await expect(w.rollback.execute(input)).rejects.toBeInstanceOf(NoActiveTransaction);
    await w.begin.execute(input);
    await expect(w.begin.execute(input)).rejects.toBeInstanceOf(TransactionAlreadyActive);
  });

  it('applies the effects deferred during the transaction on commit, merged, before answering', async () => {
    const { w, caller, id, input } = await withLease();
    await w.begin.execute(input);
    await w.sessions.use(id, caller, async (leased) => leased.deferEffects({ tables: ['projects'], outboxTransactionId: 'tx1' }));
    await w.sessions.use(id, caller, async (leased) => leased.deferEffects({ tables: ['projects', 'media_assets'], outboxTransactionId: 'tx2' }));
    expect(w.postCommit.applied).toEqual([]);
    await w.commit.execute(input);
    expect(w.postCommit.applied).toEqual([
      { tables: ['projects', 'media_assets'], outboxTransactionId: 'tx1' },
      { tables: [], outboxTransactionId: 'tx2' },
    ]);
  });

  it('drops the deferred effects on rollback', async () => {
    const { w, caller, id, input } = await withLease();
    await w.begin.execute(input);
    await w.sessions.use(id, caller, async (leased) => leased.deferEffects({ tables: ['projects'], outboxTransactionId: 'tx1' }));
    await w.rollback.execute(input);
    await w.begin.execute(input);
    await w.commit.execute(input);
    expect(w.postCommit.applied).toEqual([]);
  });

  it('reports a transaction in which a statement failed as rolled back, and drops its effects', async () => {
    const { w, caller, id, input, session } = await withLease();
    await w.begin.execute(input);
    await w.sessions.use(id, caller, async (leased) => leased.deferEffects({ tables: ['projects'], outboxTransactionId: 'tx1' }));
    session().aborted = true;
    const error = await w.commit.execute(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionAborted);
    expect(error).toMatchObject({ code: 'TRANSACTION_ABORTED', details: { transaction_status: 'rolled_back', connection_id: id } });
    await expect(w.commit.execute(input)).rejects.toBeInstanceOf(NoActiveTransaction);
    expect(w.postCommit.applied).toEqual([]);
    // The lease itself is fine.
    await w.begin.execute(input);
  });

  it('still answers committed when applying the effects fails after the commit, and logs it', async () => {
    const { w, caller, id, input } = await withLease();
    await w.begin.execute(input);
    await w.sessions.use(id, caller, async (leased) => leased.deferEffects({ tables: ['projects'], outboxTransactionId: null }));
    w.postCommit.failWith = new Error('bug in post-commit');
    await expect(w.commit.execute(input)).resolves.toMatchObject({ transactionStatus: 'committed' });
    expect(w.logger.entries).toContainEqual(expect.objectContaining({ level: 'error', obj: expect.objectContaining({ connection_id: id }) }));
  });
});

leaseSessionsContract('RegistryLeaseSessions over in-memory pools', async () => {
  const { w, caller, id } = await withLease();
  return { leases: w.sessions, connectionId: id, owner: caller, stranger: aCaller().build(), applied: () => w.postCommit.applied, close: async () => undefined };
});

describe('LeaseSessions.use', () => {
  it('marks the lease used, which resets its idle timer', async () => {
    const { w, caller, id } = await withLease();
    w.clock.advance(100_000);
    await w.sessions.use(id, caller, async () => undefined);
    w.clock.advance(100_000);
    expect(w.registry.find(id, caller).lease.lastUsedAt).toEqual(new Date('2024-01-15T10:31:40Z'));
    w.clock.advance(20_000);
    expect(() => w.registry.find(id, caller)).toThrow(expect.objectContaining({ code: 'LEASE_NOT_FOUND' }));
  });
});
