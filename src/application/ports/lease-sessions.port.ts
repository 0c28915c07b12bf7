import type { Caller } from '../../domain/auth/caller';
import type { CommitEffects } from './commit-effects.port';
import type { DatabaseSession } from './database-session.port';

/** A lease's connection, as queries and transactions that carry `connection_id` use it. */
export interface LeasedSession {
  session: DatabaseSession;
  /**
   * Inside an interactive transaction, effects are not applied at once: they are added here and
   * applied when the lease's transaction commits (dropped if it rolls back).
   */
  deferEffects(effects: CommitEffects): void;
}

/**
 * Finds the lease `connectionId` names for this caller and marks it used (idle timer reset).
 * Throws LeaseNotFound (404) when it does not exist, expired, or belongs to someone else.
 * A lease of another instance is not found here: its requests are forwarded to the holder first.
 * Calls on one lease are serialized: a connection runs one statement at a time.
 */
export interface LeaseSessions {
  use<T>(connectionId: string, caller: Caller, work: (leased: LeasedSession) => Promise<T>): Promise<T>;
}
