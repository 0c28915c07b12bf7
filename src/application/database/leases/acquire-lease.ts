import { randomBytes } from 'node:crypto';
import type { Caller } from '../../../domain/auth/caller';
import { grantedTtlSeconds, leaseId, newLease, type Lease, type LeaseDatabase, type LeaseOperation, type LeaseTerms } from '../../../domain/database/lease';
import type { Clock } from '../../ports/clock.port';
import type { ConnectionPools } from '../../ports/connection-pools.port';
import type { PoolStats } from '../../ports/sql-database.port';
import type { LeaseRegistry } from './lease-registry';

export interface AcquireLeaseInput {
  caller: Caller;
  serviceName: string;
  databaseType: LeaseDatabase;
  operationType: LeaseOperation;
  ttlSeconds?: number;
}

export interface AcquiredLease {
  lease: Lease;
  /** Where the connection points, without credentials. */
  databaseUrl: string;
  poolStats: PoolStats;
}

/** 96 random bits: a lease id cannot be guessed, though only its owner could use it anyway. */
const randomPart = () => randomBytes(12).toString('hex');

/** Reserves a dedicated connection for the caller until release, expiry or idle reaping. */
export class AcquireLease {
  constructor(
    private readonly registry: LeaseRegistry,
    private readonly pools: ConnectionPools,
    private readonly clock: Clock,
    private readonly terms: LeaseTerms,
    private readonly random: () => string = randomPart,
  ) {}

  async execute(input: AcquireLeaseInput): Promise<AcquiredLease> {
    const giveBack = this.registry.claimSlot(input.caller.userId);
    try {
      const session = await this.pools.openSession(input.operationType);
      const lease = newLease({
        id: leaseId(this.registry.instanceId, this.random()),
        instanceId: this.registry.instanceId,
        ownerId: input.caller.userId,
        serviceName: input.serviceName,
        databaseType: input.databaseType,
        operationType: input.operationType,
        // Taken once connected: the wait for a free client does not eat into the lease.
        acquiredAt: this.clock.now(),
        ttlSeconds: grantedTtlSeconds(input.ttlSeconds, this.terms),
      });
      this.registry.add(lease, session);
      return { lease, databaseUrl: this.pools.publicUrl(input.operationType), poolStats: this.pools.stats(input.operationType) };
    } catch (error) {
      giveBack();
      throw error;
    }
  }
}
