import type { Clock } from '../../ports/clock.port';
import type { OutboxStore } from '../../ports/outbox-store.port';
import type { OutboxDispatcher } from './outbox-dispatcher';

export interface RelayOptions {
  batchSize: number;
  /** Applied entries are kept this long (for inspection), then purged. */
  keepAppliedMs: number;
  purgeEveryMs: number;
}

export const DEFAULT_RELAY_OPTIONS: RelayOptions = { batchSize: 100, keepAppliedMs: 24 * 3600_000, purgeEveryMs: 10 * 60_000 };

/**
 * One pass of the outbox relay: applies what committed transactions still owe (Redis was down when
 * they committed, or their instance stopped first), in id order, under a lock only one relay of all
 * instances holds; then, now and then, purges entries applied more than a day ago.
 */
export class RelayOutbox {
  private lastPurge = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: OutboxStore,
    private readonly dispatcher: OutboxDispatcher,
    private readonly clock: Clock,
    private readonly options: RelayOptions = DEFAULT_RELAY_OPTIONS,
  ) {}

  /** Entries applied by this pass; null when another relay holds the lock. */
  async execute(): Promise<number | null> {
    const done = await this.store.relay(this.options.batchSize, (entries) => this.dispatcher.dispatch(entries));
    const now = this.clock.now().getTime();
    if (now - this.lastPurge >= this.options.purgeEveryMs) {
      this.lastPurge = now;
      await this.store.purgeApplied(new Date(now - this.options.keepAppliedMs));
    }
    return done;
  }
}
