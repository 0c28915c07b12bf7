import { randomUUID } from 'node:crypto';
import type { PoolClient, QueryResult } from 'pg';
import type { DatabaseSession } from '../../application/ports/database-session.port';
import { TransactionAborted } from '../../domain/shared/errors';
import { translatePgError } from './pg-error-translator';

/** A checked-out pg client behind the DatabaseSession port. Adapters reach the client through `client`. */
export class PgDatabaseSession implements DatabaseSession {
  readonly id = randomUUID();
  private open = false;
  private released = false;

  constructor(readonly client: PoolClient) {}

  get inTransaction(): boolean {
    return this.open;
  }

  async begin(): Promise<void> {
    await this.run('BEGIN');
    this.open = true;
  }

  async commit(): Promise<void> {
    try {
      // A statement failed in the transaction: PostgreSQL answers COMMIT with a rollback, not an error.
      if ((await this.run('COMMIT')).command === 'ROLLBACK') throw new TransactionAborted();
    } finally {
      this.open = false;
    }
  }

  async rollback(): Promise<void> {
    try {
      await this.run('ROLLBACK');
    } finally {
      this.open = false;
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    let broken: Error | undefined;
    if (this.open) {
      await this.rollback().catch((error: Error) => {
        broken = error;
      });
    }
    // A connection that failed to roll back is destroyed, never handed to the next caller.
    this.client.release(broken);
  }

  private async run(sql: string): Promise<QueryResult> {
    try {
      return await this.client.query(sql);
    } catch (error) {
      throw translatePgError(error);
    }
  }
}

/** The pg client behind a session this adapter family created. */
export function pgClientOf(session: DatabaseSession): PoolClient {
  if (!(session instanceof PgDatabaseSession)) throw new Error('not a PostgreSQL session');
  return session.client;
}
