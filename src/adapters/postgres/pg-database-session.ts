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
  /** Statements (full SQL text, literals inlined) sent in the same round trip as COMMIT, with who waits for a read's rows. */
  private beforeCommit: BeforeCommit[] = [];

  constructor(readonly client: PoolClient) {}

  get inTransaction(): boolean {
    return this.open;
  }

  async begin(): Promise<void> {
    for (const o of this.beforeCommit) o.answer?.reject(new TransactionAborted());
    this.beforeCommit = [];
    await this.run('BEGIN');
    this.open = true;
  }

  async commit(): Promise<void> {
    const owed = this.beforeCommit;
    this.beforeCommit = [];
    try {
      // One simple-query string: a failing statement skips the COMMIT and the transaction stays aborted.
      const answered = await this.run([...owed.map((o) => o.sql), 'COMMIT'].join(';\n'));
      const results = Array.isArray(answered) ? (answered as QueryResult[]) : [answered];
      // A statement failed in the transaction: PostgreSQL answers COMMIT with a rollback, not an error.
      if (results[results.length - 1]?.command === 'ROLLBACK') throw new TransactionAborted();
      // Committed: the reads made with it are answered (never before, so nothing acts on a rolled-back change).
      owed.forEach((o, i) => o.answer?.resolve(results[i] as QueryResult));
    } catch (error) {
      for (const o of owed) o.answer?.reject(error);
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
    this.beforeCommit.push({ sql });
  }

  /**
   * Like runWithCommit, for a read: its rows once the transaction has committed (it runs inside it,
   * just before COMMIT, so it sees the transaction's own writes). Rejects when the transaction does
   * not commit; the caller must handle that rejection.
   */
  readWithCommit(sql: string): Promise<QueryResult> {
    if (!this.open) throw new Error('readWithCommit needs an open transaction');
    return new Promise((resolve, reject) => {
      this.beforeCommit.push({ sql, answer: { resolve, reject } });
    });
  }

  async rollback(): Promise<void> {
    for (const o of this.beforeCommit) o.answer?.reject(new TransactionAborted());
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

interface BeforeCommit {
  sql: string;
  answer?: { resolve: (result: QueryResult) => void; reject: (error: unknown) => void };
}

/** The pg client behind a session this adapter family created. */
export function pgClientOf(session: DatabaseSession): PoolClient {
  if (!(session instanceof PgDatabaseSession)) throw new Error('not a PostgreSQL session');
  return session.client;
}
