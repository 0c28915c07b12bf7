import { DomainError } from '../../domain/shared/domain-error';
import { TransactionAborted } from '../../domain/shared/errors';
import { PgDatabaseSession } from './pg-database-session';

/**
 * A session held for minutes by a lease. An interactive transaction's COMMIT may be refused (a
 * deferred constraint, a serialization failure): PostgreSQL has rolled it back, which the caller
 * should hear as such, not as a 500. (A connection lost while leased is logged by PgSqlDatabase,
 * which listens on every client it hands out.)
 */
export class PgLeaseSession extends PgDatabaseSession {
  override async commit(): Promise<void> {
    try {
      await super.commit();
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw new TransactionAborted();
    }
  }
}
