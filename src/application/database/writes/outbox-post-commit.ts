import type { CacheInvalidator } from '../../ports/cache-invalidator.port';
import type { CommitEffects, PostCommit, PostCommitResult } from '../../ports/commit-effects.port';
import type { Logger } from '../../ports/logger.port';
import type { OutboxStore } from '../../ports/outbox-store.port';
import type { OutboxOutcome } from '../../../domain/database/outbox-entry';
import type { OutboxDispatcher } from './outbox-dispatcher';

/**
 * Beyond this many unapplied entries on its keys before its own, a request leaves its effects to the
 * relay (after a Redis outage) rather than working through someone else's backlog before answering.
 * In-flight peers writing the same key count too, so it is well above any concurrency a key sees.
 */
export const INLINE_BACKLOG_LIMIT = 1_000;

/** At most this many entries marked by one UPDATE. */
const MARK_BATCH = 500;

/**
 * A committed transaction's effects, applied before its response: its outbox entries, in order, after
 * any older ones still pending on the same keys (so a later write on a key never lands before an
 * earlier one; the markers make applying a peer's entry again harmless). When Redis
 * fails, they stay in the outbox for the relay, and the read cache stays bypassed meanwhile.
 */
export class OutboxPostCommit implements PostCommit {
  private readonly unmarked: OutboxOutcome[] = [];
  private marking: Promise<void> | null = null;

  constructor(
    private readonly store: OutboxStore,
    private readonly dispatcher: OutboxDispatcher,
    private readonly invalidator: CacheInvalidator | null,
    private readonly logger: Logger,
  ) {}

  async apply(effects: CommitEffects): Promise<PostCommitResult> {
    const transactionId = effects.outboxTransactionId;
    if (!transactionId) return this.invalidateOnly(effects.tables);
    try {
      const pending = await this.store.pendingThrough(transactionId, INLINE_BACKLOG_LIMIT + 1);
      if (pending.length > INLINE_BACKLOG_LIMIT) return { redisApplied: false };
      const done = await this.dispatcher.dispatch(pending);
      const ids = new Set(done.map((d) => d.id));
      const own = pending.filter((e) => e.transactionId === transactionId);
      const rejected = done.flatMap((d) => {
        const entry = own.find((e) => e.id === d.id);
        return entry && d.error !== null ? [{ operation: entry.seq, reason: d.error }] : [];
      });
      // A peer's entry applied here (it shares a key) is marked too; the store skips rows another
      // request is marking at that moment rather than waiting on its lock. Off the response's path,
      // in batches: Redis has the effects, and until the mark lands a repeat is a no-op (markers).
      if (done.length > 0) this.markApplied(done);
      return { redisApplied: own.every((e) => ids.has(e.id)), rejected };
    } catch (error) {
      // PostgreSQL failed after the commit: the entries stay pending, the relay finishes them.
      this.logger.warn({ transaction_id: transactionId, err: describe(error) }, 'post-commit effects left to the outbox relay');
      return { redisApplied: false };
    }
  }

  /** Effects with nothing in the outbox: an invalidation that cannot be retried is at least reported. */
  private async invalidateOnly(tables: string[]): Promise<PostCommitResult> {
    if (tables.length === 0 || !this.invalidator) return { redisApplied: true };
    try {
      await this.invalidator.invalidate(tables);
      return { redisApplied: true };
    } catch (error) {
      this.logger.error({ tables, err: describe(error) }, 'cache invalidation failed and has no outbox entry to retry it');
      return { redisApplied: false };
    }
  }

  /**
   * Queues applied entries for marking: what concurrent requests applied meanwhile goes in the same
   * UPDATE, one at a time. Redis already has the effects (markers guard against repeats): a mark
   * delayed or lost (a failure, a crash) only means the next request on the key or the relay applies
   * the entry again as a no-op and marks it.
   */
  private markApplied(done: readonly OutboxOutcome[]): void {
    for (const outcome of done) this.unmarked.push(outcome);
    if (!this.marking) this.marking = this.flushMarks().finally(() => {
      this.marking = null;
    });
  }

  private async flushMarks(): Promise<void> {
    while (this.unmarked.length > 0) {
      const batch = this.unmarked.splice(0, MARK_BATCH);
      await this.store.markApplied(batch).catch((error: unknown) => this.logger.warn({ err: describe(error) }, 'outbox entries applied but not yet marked'));
    }
  }

  /** Resolves once the marks queued so far are written (or given up): for shutdown and tests. */
  async settled(): Promise<void> {
    while (this.marking) await this.marking;
  }
}

function describe(error: unknown): unknown {
  return error instanceof Error ? { message: error.message } : String(error);
}
