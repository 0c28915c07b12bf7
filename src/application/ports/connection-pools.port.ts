import type { LeaseOperation } from '../../domain/database/lease';
import type { DatabaseSession } from './database-session.port';
import type { PoolStats } from './sql-database.port';

/**
 * The pools leases draw from: the primary for writes, the read replica (DATABASE_READ_URL) for
 * reads when one is configured, else the primary for both.
 */
export interface ConnectionPools {
  /**
   * A dedicated connection, after a bounded wait for a free one. Throws PoolExhausted when every
   * client stayed busy, DatabaseUnavailable when the server cannot be reached, DatabaseTimeout
   * when it does not answer the connect in time.
   */
  openSession(operation: LeaseOperation): Promise<DatabaseSession>;
  stats(operation: LeaseOperation): PoolStats;
  /** The server's URL as a client may see it: never a password. */
  publicUrl(operation: LeaseOperation): string;
}
