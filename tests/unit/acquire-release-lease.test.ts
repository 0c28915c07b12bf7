import { InMemoryConnectionPools, type InMemoryDatabaseSession } from '../../src/adapters/in-memory/fakes/in-memory-connection-pools';
import { LeaseLimitExceeded, LeaseNotFound } from '../../src/domain/database/lease';
import { DatabaseUnavailable, PoolExhausted } from '../../src/domain/shared/errors';
import { aCaller } from '../support/caller-builder';
import { leasesWorld } from '../support/leases-world';

const request = { serviceName: 'core-user-service', databaseType: 'postgresql', operationType: 'write' } as const;

describe('AcquireLease', () => {
  it('reserves a session and records who, for what, and until when', async () => {
    const w = leasesWorld({ instanceId: 'inst-a' });
    const caller = aCaller().build();
    const acquired = await w.acquire.execute({ ...request, caller, operationType: 'read' });
    expect(acquired.lease).toEqual({
      id: 'conn_inst-a_000000000000000000000001',
      instanceId: 'inst-a',
      ownerId: caller.userId,
      serviceName: 'core-user-service',
      databaseType: 'postgresql',
      operationType: 'read',
      acquiredAt: new Date('2024-01-15T10:30:00Z'),
      expiresAt: new Date('2024-01-15T10:35:00Z'),
      lastUsedAt: new Date('2024-01-15T10:30:00Z'),
    });
    expect(acquired.databaseUrl).toBe('postgresql://app@replica:5432/app');
    expect(acquired.poolStats).toMatchObject({ active: 1, waiting: 0 });
  });

  it('caps the TTL', async () => {
    const w = leasesWorld({ maxTtlSeconds: 600 });
    const { lease } = await w.acquire.execute({ ...request, caller: aCaller().build(), ttlSeconds: 7_200 });
    expect(lease.expiresAt.getTime() - lease.acquiredAt.getTime()).toBe(600_000);
  });

  it('refuses a caller past the per-caller cap, even when the acquisitions race', async () => {
    const w = leasesWorld({ maxPerCaller: 2 });
    const caller = aCaller().build();
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => w.acquire.execute({ ...request, caller })));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(2);
    expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: expect.any(LeaseLimitExceeded) });
    // Someone else still may.
    await expect(w.acquire.execute({ ...request, caller: aCaller().build() })).resolves.toBeDefined();
  });

  it('gives the slot back when the pool fails, and passes the failure on', async () => {
    const pools = new InMemoryConnectionPools(1);
    const w = leasesWorld({ pools, maxPerCaller: 1 });
    const [caller, first] = [aCaller().build(), aCaller().build()];
    const held = await w.acquire.execute({ ...request, caller: first });
    await expect(w.acquire.execute({ ...request, caller })).rejects.toBeInstanceOf(PoolExhausted);
    pools.down = true;
    await expect(w.acquire.execute({ ...request, caller })).rejects.toBeInstanceOf(DatabaseUnavailable);
    pools.down = false;
    await w.release.execute({ caller: first, connectionId: held.lease.id, serviceName: request.serviceName });
    // Two failures, yet the caller's single slot is free.
    await expect(w.acquire.execute({ ...request, caller })).resolves.toBeDefined();
  });
});

describe('ReleaseLease', () => {
  it('returns the session, rolling back an open transaction, and reports how long it was held', async () => {
    const w = leasesWorld();
    const caller = aCaller().build();
    const { lease } = await w.acquire.execute({ ...request, caller });
    await w.begin.execute({ caller, connectionId: lease.id });
    w.clock.advance(1_250);
    const released = await w.release.execute({ caller, connectionId: lease.id, serviceName: request.serviceName });
    expect(released).toEqual({ connectionId: lease.id, durationMs: 1_250, rolledBack: true });
    expect((w.pools as InMemoryConnectionPools).sessions[0]!.log).toEqual(['begin', 'rollback', 'release']);
  });

  it('answers LeaseNotFound to a second release, to another caller, and for another service name', async () => {
    const w = leasesWorld();
    const caller = aCaller().build();
    const { lease } = await w.acquire.execute({ ...request, caller });
    const release = (who = caller, serviceName: string = request.serviceName) => w.release.execute({ caller: who, connectionId: lease.id, serviceName });
    await expect(release(aCaller().build())).rejects.toBeInstanceOf(LeaseNotFound);
    await expect(release(aCaller().withRole('admin').build())).rejects.toBeInstanceOf(LeaseNotFound);
    await expect(release(caller, 'other-service')).rejects.toBeInstanceOf(LeaseNotFound);
    await release();
    await expect(release()).rejects.toMatchObject({ code: 'LEASE_NOT_FOUND', details: { connection_id: lease.id } });
  });

  it('does not find, here, a lease id minted by another instance (the HTTP edge forwards those to their holder)', async () => {
    const w = leasesWorld({ instanceId: 'inst-a' });
    const id = 'conn_inst-b_0123456789abcdef01234567';
    const error = await w.release.execute({ caller: aCaller().build(), connectionId: id, serviceName: 's' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseNotFound);
    expect(error).toMatchObject({ code: 'LEASE_NOT_FOUND', details: { connection_id: id } });
  });

  it('waits for the work in flight on the lease before giving the session back', async () => {
    const w = leasesWorld();
    const caller = aCaller().build();
    const { lease } = await w.acquire.execute({ ...request, caller });
    const order: string[] = [];
    let finish!: () => void;
    const work = w.sessions.use(lease.id, caller, async (leased) => {
      order.push('work started');
      await new Promise<void>((resolve) => (finish = resolve));
      order.push(`work done, released=${(leased.session as InMemoryDatabaseSession).released}`);
    });
    await new Promise((r) => setImmediate(r));
    const released = w.release.execute({ caller, connectionId: lease.id, serviceName: request.serviceName }).then(() => order.push('released'));
    // Gone at once for new calls.
    await expect(w.begin.execute({ caller, connectionId: lease.id })).rejects.toBeInstanceOf(LeaseNotFound);
    finish();
    await Promise.all([work, released]);
    expect(order).toEqual(['work started', 'work done, released=false', 'released']);
  });
});
