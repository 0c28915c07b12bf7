import type { DatabaseSession } from './database-session.port';

/**
 * Where a one-request transaction gets its connection: the primary's pool. Throws PoolExhausted after
 * the bounded wait, DatabaseUnavailable or DatabaseTimeout when the server cannot be reached.
 */
export interface SessionSource {
  openSession(): Promise<DatabaseSession>;
}
