import type { CacheInvalidator } from '../../ports/cache-invalidator.port';
import type { CommitEffects, PostCommit, PostCommitResult } from '../../ports/commit-effects.port';
import type { Logger } from '../../ports/logger.port';
import type { OutboxStore } from '../../ports/outbox-store.port';
import type { OutboxDispatcher } from './outbox-dispatcher';

/**
 * Beyond this many unapplied entries on its keys before its own, a request leaves its effects to the
 * relay (after a Redis outage) rather than working through someone else's backlog before answering.
 * In-flight peers writing the same key count too, so it is well above any concurrency a key sees.
 */
export const INLINE_BACKLOG_LIMIT = 1_000;

/**
 * A committed transaction's effects, applied before its response: its outbox entries, in order, after
 * any older ones still pending on the same keys (so a later write on a key never lands before an
 * earlier one; the markers make applying a peer's entry again harmless). When Redis
 * fails, they stay in the outbox for the relay, and the read cache stays bypassed meanwhile.
 */
export class OutboxPostCommit implements PostCommit {
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
      // request is marking at that moment rather than waiting on its lock.
      if (done.length > 0) await this.markApplied(done);
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

  /** Redis already has the effects (markers guard against repeats): a failure here only costs a retry. */
  private async markApplied(done: Parameters<OutboxStore['markApplied']>[0]): Promise<void> {
    await this.store.markApplied(done).catch((error: unknown) => this.logger.warn({ err: describe(error) }, 'outbox entries applied but not yet marked'));
  }
}

function describe(error: unknown): unknown {
  return error instanceof Error ? { message: error.message } : String(error);
}
