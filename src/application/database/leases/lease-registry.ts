import type { Caller } from '../../../domain/auth/caller';
import {
  LeaseLimitExceeded,
  LeaseNotFound,
  reapReason,
  touched,
  type Lease,
  type LeaseOperation,
  type ReapReason,
} from '../../../domain/database/lease';
import type { Clock } from '../../ports/clock.port';
import type { DatabaseSession } from '../../ports/database-session.port';
import { PendingEffects } from '../writes/pending-effects';
import { SerialQueue } from './serial-queue';

/** A lease of this instance with its connection and interactive-transaction state. */
export interface ActiveLease {
  lease: Lease;
  readonly session: DatabaseSession;
  /** Opened by POST .../begin: effects deferred meanwhile wait for its commit. */
  transactionOpen: boolean;
  readonly effects: PendingEffects;
  readonly queue: SerialQueue;
}

export interface RegistryLimits {
  idleTimeoutSeconds: number;
  maxPerCaller: number;
}

export interface ClosedLease {
  lease: Lease;
  /** A transaction was still open and was rolled back. */
  rolledBack: boolean;
}

/**
 * The leases this instance holds. In-process by nature: a lease's client is a socket of this process.
 * Every call on a lease goes through its queue, and so does closing it, which therefore waits for
 * the work in flight (bounded by the statement timeout) before the connection goes back.
 */
export class LeaseRegistry {
  private readonly leases = new Map<string, ActiveLease>();
  /** Leases held plus acquisitions under way, per owner. */
  private readonly slots = new Map<string, number>();

  constructor(
    readonly instanceId: string,
    private readonly clock: Clock,
    private readonly limits: RegistryLimits,
  ) {}

  /**
   * Takes one of the owner's slots before the (slow) connect, so concurrent acquisitions cannot
   * overshoot the cap. Returns the function that gives the slot back if the acquisition fails.
   */
  claimSlot(ownerId: string): () => void {
    const held = this.slots.get(ownerId) ?? 0;
    if (held >= this.limits.maxPerCaller) throw new LeaseLimitExceeded(this.limits.maxPerCaller);
    this.slots.set(ownerId, held + 1);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.freeSlot(ownerId);
    };
  }

  /** Registers a lease whose slot was claimed. */
  add(lease: Lease, session: DatabaseSession): ActiveLease {
    const active: ActiveLease = { lease, session, transactionOpen: false, effects: new PendingEffects(), queue: new SerialQueue() };
    this.leases.set(lease.id, active);
    return active;
  }

  /**
   * The caller's lease, usable now; anything else is LeaseNotFound. A lease of another instance never
   * gets here: the HTTP edge forwards its requests to the holder (LocateLease).
   */
  find(connectionId: string, caller: Caller): ActiveLease {
    const active = this.leases.get(connectionId);
    if (!active || active.lease.ownerId !== caller.userId) throw new LeaseNotFound(connectionId);
    // Past its expiry or idle time it is over, even if the reaper has not come by yet.
    if (reapReason(active.lease, this.clock.now(), this.limits.idleTimeoutSeconds, active.queue.size > 0)) throw new LeaseNotFound(connectionId);
    return active;
  }

  /**
   * Runs `work` on the caller's lease after whatever is queued on it; the lease counts as used. The
   * lookup happens before the first await, so a call made after a release has begun is refused.
   */
  async run<T>(connectionId: string, caller: Caller, work: (active: ActiveLease) => Promise<T>): Promise<T> {
    const active = this.find(connectionId, caller);
    return active.queue.run(async () => {
      active.lease = touched(active.lease, this.clock.now());
      try {
        return await work(active);
      } finally {
        active.lease = touched(active.lease, this.clock.now());
      }
    });
  }

  /**
   * Ends a lease: at once it is gone for every later call, then, after the work already queued on
   * it, its connection goes back to the pool (an open transaction rolled back).
   */
  async close(active: ActiveLease): Promise<ClosedLease> {
    if (this.leases.get(active.lease.id) !== active) return { lease: active.lease, rolledBack: false };
    this.leases.delete(active.lease.id);
    this.freeSlot(active.lease.ownerId);
    return active.queue.run(async () => {
      const rolledBack = active.session.inTransaction;
      active.transactionOpen = false;
      active.effects.clear();
      await active.session.release();
      return { lease: active.lease, rolledBack };
    });
  }

  /** Leases over at `now`, and why. */
  due(now: Date): Array<{ active: ActiveLease; reason: ReapReason }> {
    return [...this.leases.values()].flatMap((active) => {
      const reason = reapReason(active.lease, now, this.limits.idleTimeoutSeconds, active.queue.size > 0);
      return reason ? [{ active, reason }] : [];
    });
  }

  all(): ActiveLease[] {
    return [...this.leases.values()];
  }

  countByOperation(): Record<LeaseOperation, number> {
    const counts: Record<LeaseOperation, number> = { read: 0, write: 0 };
    for (const { lease } of this.leases.values()) counts[lease.operationType] += 1;
    return counts;
  }

  private freeSlot(ownerId: string): void {
    const held = (this.slots.get(ownerId) ?? 1) - 1;
    if (held <= 0) this.slots.delete(ownerId);
    else this.slots.set(ownerId, held);
  }
}
