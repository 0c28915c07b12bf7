import type { ConnectionPools } from '../../application/ports/connection-pools.port';
import type { DatabaseSession } from '../../application/ports/database-session.port';
import type { PoolStats } from '../../application/ports/sql-database.port';
import type { LeaseOperation } from '../../domain/database/lease';
import { PgLeaseSession } from './pg-lease-session';
import type { PgSqlDatabase } from './pg-sql-database';
import { publicDatabaseUrl } from './public-database-url';

export interface PgPool {
  db: PgSqlDatabase;
  /** The pool's connection string (may hold a password; only its public form leaves this class). */
  url: string;
}

/** Leases over the service's pg pools: reads on the replica when there is one, writes on the primary. */
export class PgConnectionPools implements ConnectionPools {
  private readonly publicUrls: Record<LeaseOperation, string>;

  constructor(
    private readonly primary: PgPool,
    private readonly replica: PgPool | null,
  ) {
    this.publicUrls = { write: publicDatabaseUrl(primary.url), read: publicDatabaseUrl(this.poolFor('read').url) };
  }

  async openSession(operation: LeaseOperation): Promise<DatabaseSession> {
    // The pool's own session only wraps the client; the lease's wrapper takes it over.
    const { client } = await this.poolFor(operation).db.openSession();
    return new PgLeaseSession(client);
  }

  stats(operation: LeaseOperation): PoolStats {
    return this.poolFor(operation).db.poolStats();
  }

  publicUrl(operation: LeaseOperation): string {
    return this.publicUrls[operation];
  }

  private poolFor(operation: LeaseOperation): PgPool {
    return operation === 'read' && this.replica ? this.replica : this.primary;
  }
}
