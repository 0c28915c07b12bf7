export interface PoolStats {
  /** Clients checked out and working. */
  active: number;
  idle: number;
  /** Callers queued for a client. */
  waiting: number;
  total: number;
  max: number;
}

/**
 * The PostgreSQL pool as the use cases see it. Failures are domain errors: DatabaseUnavailable when
 * the server cannot be reached, DatabaseTimeout when it does not answer in time.
 */
export interface SqlDatabase {
  /** Round trip to the server, bounded by the connect timeout. */
  ping(): Promise<void>;
  poolStats(): PoolStats;
  close(): Promise<void>;
}
