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
  /** Statements (full SQL text, literals inlined) sent in the same round trip as COMMIT. */
  private beforeCommit: string[] = [];

  constructor(readonly client: PoolClient) {}

  get inTransaction(): boolean {
    return this.open;
  }

  async begin(): Promise<void> {
    this.beforeCommit = [];
    await this.run('BEGIN');
    this.open = true;
  }

  async commit(): Promise<void> {
    try {
      const owed = this.beforeCommit;
      this.beforeCommit = [];
      // One simple-query string: a failing statement skips the COMMIT and the transaction stays aborted.
      const answered = await this.run([...owed, 'COMMIT'].join(';\n'));
      const last = Array.isArray(answered) ? (answered as QueryResult[])[answered.length - 1] : answered;
      // A statement failed in the transaction: PostgreSQL answers COMMIT with a rollback, not an error.
      if (last?.command === 'ROLLBACK') throw new TransactionAborted();
    } catch (error) {
      // The statements sent with COMMIT failed: the transaction is aborted and still open; roll it back.
      if (this.open) await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      this.open = false;
    }
  }

  /**
   * Runs `sql` (no parameters: values inlined with escapeLiteral) as part of this transaction, in the
   * same round trip as its COMMIT: whatever lock it takes is held for the commit only, not for a
   * client round trip. Dropped if the transaction rolls back.
   */
  runWithCommit(sql: string): void {
    if (!this.open) throw new Error('runWithCommit needs an open transaction');
    this.beforeCommit.push(sql);
  }

  async rollback(): Promise<void> {
    this.beforeCommit = [];
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
