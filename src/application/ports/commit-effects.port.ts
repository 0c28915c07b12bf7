import type { NewAuditEntry } from '../../domain/audit/audit-entry';

/** What a committed transaction still owes the outside world: cache invalidation and Redis effects. */
export interface CommitEffects {
  /** Tables the transaction wrote. */
  tables: string[];
  /** Id of the transaction whose outbox entries (Redis operations) are to be applied, if any. */
  outboxTransactionId: string | null;
  /**
   * Audit entries of work done inside an interactive transaction: written by the lease's COMMIT, in
   * the transaction, just before it commits (so the chain lock is not held while the transaction idles).
   */
  audit?: readonly NewAuditEntry[];
}

/**
 * Applies a committed transaction's effects: invalidates the cached reads of its tables and applies
 * its outboxed Redis operations (leaving them to the background relay when Redis is down).
 * Used after a one-request transaction and after an interactive transaction's commit on a lease.
 */
export interface PostCommit {
  apply(effects: CommitEffects): Promise<PostCommitResult>;
}

export interface PostCommitResult {
  /** Every effect of the transaction is done; false leaves the rest to the relay (Redis down). */
  redisApplied: boolean;
  /** Redis operations Redis refused for good (INCR on a word), by operation index; never retried. */
  rejected?: Array<{ operation: number; reason: string }>;
}
