import type { ReapReason } from '../../../domain/database/lease';
import type { Clock } from '../../ports/clock.port';
import type { Logger } from '../../ports/logger.port';
import type { ActiveLease, LeaseRegistry } from './lease-registry';

export interface ReapedLease {
  connectionId: string;
  reason: ReapReason | 'shutdown';
  rolledBack: boolean;
}

/**
 * Releases the leases that are over (past expires_at, or idle longer than the idle timeout),
 * rolling back what they left open, so a forgotten lease cannot hold a client or locks for long.
 * A release waits for the statement running on the lease; past `releaseWaitMs` the reaper moves
 * on and the release finishes in the background, so one stuck connection cannot stall all reaping.
 */
export class ReapLeases {
  constructor(
    private readonly registry: LeaseRegistry,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly releaseWaitMs = 5_000,
  ) {}

  async execute(): Promise<ReapedLease[]> {
    const due = this.registry.due(this.clock.now());
    return Promise.all(due.map(({ active, reason }) => this.reap(active, reason)));
  }

  /** At shutdown: every lease goes, so the pools can close. */
  async releaseAll(): Promise<ReapedLease[]> {
    return Promise.all(this.registry.all().map((active) => this.reap(active, 'shutdown')));
  }

  private async reap(active: ActiveLease, reason: ReapedLease['reason']): Promise<ReapedLease> {
    const { lease } = active;
    const now = this.clock.now();
    let rolledBack = false;
    const closing = this.registry.close(active);
    const outcome = await settleWithin(closing, this.releaseWaitMs);
    if (outcome.status === 'fulfilled') rolledBack = outcome.value.rolledBack;
    else if (outcome.status === 'rejected') this.discarded(lease.id, outcome.reason);
    else {
      this.logger.warn({ connection_id: lease.id, waited_ms: this.releaseWaitMs }, 'reaped lease is still busy; its release goes on in the background');
      closing.catch((error: unknown) => this.discarded(lease.id, error));
    }
    // Ids and timings only: no URL, no statement, nothing a log reader should not see.
    this.logger.info(
      {
        connection_id: lease.id,
        owner_id: lease.ownerId,
        service_name: lease.serviceName,
        operation_type: lease.operationType,
        reason,
        held_ms: now.getTime() - lease.acquiredAt.getTime(),
        idle_ms: now.getTime() - lease.lastUsedAt.getTime(),
        rolled_back: rolledBack,
      },
      'connection lease reaped',
    );
    return { connectionId: lease.id, reason, rolledBack };
  }

  private discarded(connectionId: string, error: unknown): void {
    this.logger.warn({ connection_id: connectionId, err: error }, 'reaped lease did not release cleanly; its connection was discarded');
  }
}

type Outcome<T> = { status: 'fulfilled'; value: T } | { status: 'rejected'; reason: unknown } | { status: 'pending' };

function settleWithin<T>(promise: Promise<T>, ms: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'pending' }), ms);
    timer.unref();
  });
  const settled = promise.then(
    (value): Outcome<T> => ({ status: 'fulfilled', value }),
    (reason: unknown): Outcome<T> => ({ status: 'rejected', reason }),
  );
  return Promise.race([settled, late]).finally(() => clearTimeout(timer));
}
