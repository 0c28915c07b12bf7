import type { Caller } from '../../../domain/auth/caller';
import { LeaseNotFound } from '../../../domain/database/lease';
import type { Clock } from '../../ports/clock.port';
import type { LeaseRegistry } from './lease-registry';

export interface ReleaseLeaseInput {
  caller: Caller;
  connectionId: string;
  serviceName: string;
}

export interface ReleasedLease {
  connectionId: string;
  durationMs: number;
  /** A transaction was still open and was rolled back. */
  rolledBack: boolean;
}

/** Gives the connection back to its pool, rolling back whatever transaction was left open. */
export class ReleaseLease {
  constructor(
    private readonly registry: LeaseRegistry,
    private readonly clock: Clock,
  ) {}

  async execute(input: ReleaseLeaseInput): Promise<ReleasedLease> {
    const active = this.registry.find(input.connectionId, input.caller);
    // The same answer as for an unknown id: the pair (connection, service) names no lease.
    if (active.lease.serviceName !== input.serviceName) throw new LeaseNotFound(input.connectionId);
    const { lease, rolledBack } = await this.registry.close(active);
    return { connectionId: lease.id, durationMs: Math.max(0, this.clock.now().getTime() - lease.acquiredAt.getTime()), rolledBack };
  }
}
