/**
 * One dedicated PostgreSQL connection: a lease's, or the one a single request's transaction runs on.
 * Adapters that read or write rows accept an optional session and otherwise use the pool. The
 * application never sees the driver's client, only this.
 */
export interface DatabaseSession {
  readonly id: string;
  /** True between begin() and commit()/rollback(). */
  readonly inTransaction: boolean;
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** Gives the connection back to its pool (rolling back an open transaction first). */
  release(): Promise<void>;
}
