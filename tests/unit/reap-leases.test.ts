import type { InMemoryConnectionPools } from '../../src/adapters/in-memory/fakes/in-memory-connection-pools';
import { LeaseNotFound } from '../../src/domain/database/lease';
import { aCaller } from '../support/caller-builder';
import { leasesWorld } from '../support/leases-world';

const request = { serviceName: 'core-user-service', databaseType: 'postgresql', operationType: 'write' } as const;

describe('ReapLeases', () => {
  it('releases a lease past expires_at, rolling back the transaction it left open', async () => {
    const w = leasesWorld();
    const caller = aCaller().build();
    const { lease } = await w.acquire.execute({ ...request, caller, ttlSeconds: 60 });
    await w.begin.execute({ caller, connectionId: lease.id });
    await w.sessions.use(lease.id, caller, async (leased) => leased.deferEffects({ tables: ['projects'], outboxTransactionId: 'tx1' }));
    w.clock.advance(59_999);
    expect(await w.reap.execute()).toEqual([]);
    w.clock.advance(1);
    expect(await w.reap.execute()).toEqual([{ connectionId: lease.id, reason: 'expired', rolledBack: true }]);
    const session = (w.pools as InMemoryConnectionPools).sessions[0]!;
    expect(session.log).toEqual(['begin', 'rollback', 'release']);
    // Its deferred effects died with it.
    expect(w.postCommit.applied).toEqual([]);
    await expect(w.commit.execute({ caller, connectionId: lease.id })).rejects.toBeInstanceOf(LeaseNotFound);
  });

  it('releases a lease idle past the idle timeout, and spares one in use', async () => {
    const w = leasesWorld({ idleTimeoutSeconds: 120 });
    const caller = aCaller().build();
    const idle = (await w.acquire.execute({ ...request, caller })).lease;
    const used = (await w.acquire.execute({ ...request, caller })).lease;
    w.clock.advance(90_000);
    await w.sessions.use(used.id, caller, async () => undefined);
    w.clock.advance(30_000);
    expect(await w.reap.execute()).toEqual([{ connectionId: idle.id, reason: 'idle', rolledBack: false }]);
    expect(w.registry.all().map((a) => a.lease.id)).toEqual([used.id]);
  });

  it('never calls a lease idle while a statement runs on it; expiry still applies', async () => {
    const w = leasesWorld({ idleTimeoutSeconds: 120 });
    const caller = aCaller().build();
    const { lease } = await w.acquire.execute({ ...request, caller, ttlSeconds: 300 });
    let finish!: () => void;
    const longStatement = w.sessions.use(lease.id, caller, () => new Promise<void>((resolve) => (finish = resolve)));
    w.clock.advance(200_000);
    expect(await w.reap.execute()).toEqual([]);
    w.clock.advance(100_000);
    const reaping = w.reap.execute();
    finish();
    await longStatement;
    expect(await reaping).toEqual([{ connectionId: lease.id, reason: 'expired', rolledBack: false }]);
  });

  it('does not let a lease stuck on a statement stall the others: its release finishes in the background', async () => {
    const w = leasesWorld({ releaseWaitMs: 20 });
    const caller = aCaller().build();
    const stuck = (await w.acquire.execute({ ...request, caller, ttlSeconds: 10 })).lease;
    const other = (await w.acquire.execute({ ...request, caller, ttlSeconds: 10 })).lease;
    let finish!: () => void;
    const statement = w.sessions.use(stuck.id, caller, () => new Promise<void>((resolve) => (finish = resolve)));
    w.clock.advance(10_000);
    const reaped = await w.reap.execute();
    expect(reaped.map((r) => r.connectionId).sort()).toEqual([stuck.id, other.id].sort());
    expect(w.logger.entries).toContainEqual(expect.objectContaining({ level: 'warn', obj: expect.objectContaining({ connection_id: stuck.id }) }));
    const [stuckSession, otherSession] = (w.pools as InMemoryConnectionPools).sessions;
    expect(otherSession!.released).toBe(true);
    expect(stuckSession!.released).toBe(false);
    finish();
    await statement;
    await new Promise((r) => setImmediate(r));
    expect(stuckSession!.released).toBe(true);
  });

  it('logs each reap with ids and timings, nothing secret', async () => {
    const w = leasesWorld();
    const caller = aCaller().build();
    const { lease } = await w.acquire.execute({ ...request, caller, ttlSeconds: 10 });
    w.clock.advance(10_000);
    await w.reap.execute();
    expect(w.logger.entries).toEqual([
      {
        level: 'info',
        msg: 'connection lease reaped',
        obj: {
          connection_id: lease.id,
          owner_id: caller.userId,
          service_name: 'core-user-service',
          operation_type: 'write',
          reason: 'expired',
          held_ms: 10_000,
          idle_ms: 10_000,
          rolled_back: false,
        },
      },
    ]);
  });

  it('treats a lease past its time as gone even before the reaper comes by', async () => {
    const w = leasesWorld();
    const caller = aCaller().build();
    const { lease } = await w.acquire.execute({ ...request, caller, ttlSeconds: 10 });
    w.clock.advance(10_000);
    await expect(w.begin.execute({ caller, connectionId: lease.id })).rejects.toBeInstanceOf(LeaseNotFound);
  });

  it('frees the caller slot of a reaped lease', async () => {
    const w = leasesWorld({ maxPerCaller: 1 });
    const caller = aCaller().build();
    await w.acquire.execute({ ...request, caller, ttlSeconds: 10 });
    await expect(w.acquire.execute({ ...request, caller })).rejects.toMatchObject({ code: 'LEASE_LIMIT_EXCEEDED' });
    w.clock.advance(10_000);
    await w.reap.execute();
    await expect(w.acquire.execute({ ...request, caller })).resolves.toBeDefined();
  });

  it('releases every lease at shutdown', async () => {
    const w = leasesWorld();
    const caller = aCaller().build();
    const { lease } = await w.acquire.execute({ ...request, caller });
    await w.begin.execute({ caller, connectionId: lease.id });
    await w.acquire.execute({ ...request, caller: aCaller().build() });
    const reaped = await w.reap.releaseAll();
    expect(reaped.map((r) => [r.reason, r.rolledBack])).toEqual([
      ['shutdown', true],
      ['shutdown', false],
    ]);
    expect((w.pools as InMemoryConnectionPools).stats('write').active).toBe(0);
  });
});
