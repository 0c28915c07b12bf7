import type { NewOutboxEntry, OutboxEntry, OutboxOutcome } from '../../domain/database/outbox-entry';
import type { DatabaseSession } from './database-session.port';

/**
 * The transactional outbox: effects written with the rows that caused them, so they exist exactly
 * when their transaction committed, then applied after the commit (by the request, else the relay).
 */
export interface OutboxStore {
  /**
   * Inside the session's open transaction: the entries commit or roll back with it. `withCommit`: the
   * insert may be sent in the same round trip as the transaction's COMMIT (its failure then aborts
   * the commit); only for a transaction this caller commits itself, never inside a savepoint.
   */
  record(session: DatabaseSession, transactionId: string, entries: readonly NewOutboxEntry[], options?: RecordOptions): Promise<void>;
  /**
   * What must be applied, in id order, for this transaction's effects: its own unapplied entries and,
   * before them, the older unapplied Redis entries of other transactions on the same keys (order holds
   * per key: a later write on a key never lands before an earlier one on it), at most `limit` entries.
   * Entries on other keys are not included: under load they are in-flight peers' own business, and
   * counting them made every answer give up to the relay. Empty when nothing of it is left.
   */
  pendingThrough(transactionId: string, limit: number): Promise<OutboxEntry[]>;
  /** Marks entries done (an outcome with an error is done too: Redis refused it, retrying cannot help). */
  markApplied(outcomes: readonly OutboxOutcome[]): Promise<void>;
  /**
   * One relay pass, run by at most one relay at a time across every instance: when unapplied entries
   * older than the grace period exist, hands batches of unapplied entries (id order) to `apply` and
   * marks what it reports done, until none are left or `apply` stops short. Returns the number of
   * entries done, or null when another relay holds the lock.
   */
  relay(batchSize: number, apply: (entries: OutboxEntry[]) => Promise<OutboxOutcome[]>): Promise<number | null>;
  /** True while some committed write's cache invalidation has not been applied. */
  hasPendingInvalidations(): Promise<boolean>;
  /** The id of the newest invalidation not yet applied (an outbox position), or null when none is owed. */
  newestPendingInvalidation(): Promise<string | null>;
  /** Whether every invalidation at or before `position` has been applied (later ones are not looked at). */
  invalidationsSettledThrough(position: string): Promise<boolean>;
  /** Deletes entries applied before `before`; returns how many. */
  purgeApplied(before: Date): Promise<number>;
}

export interface RecordOptions {
  withCommit?: boolean;
}
