import { randomUUID } from 'node:crypto';
import type { DatabaseSession } from '../../../application/ports/database-session.port';
import type { SessionSource } from '../../../application/ports/session-source.port';
import type { OutboxEntry } from '../../../domain/database/outbox-entry';

export type StoredRow = Record<string, unknown>;

export interface StoredOutboxEntry extends OutboxEntry {
  createdAt: number;
  appliedAt: number | null;
  error: string | null;
}

interface State {
  rows: Map<string, StoredRow[]>;
  outbox: StoredOutboxEntry[];
}

/**
 * Rows and outbox entries of the in-memory fakes, with transactions: a session's begin (or savepoint)
 * keeps a copy of everything, its rollback puts the copy back. One writer at a time, as in unit tests.
 */
export class InMemoryTables implements SessionSource {
  rows = new Map<string, StoredRow[]>();
  outbox: StoredOutboxEntry[] = [];
  private lastOutboxId = 0;

  table(name: string): StoredRow[] {
    let rows = this.rows.get(name);
    if (!rows) this.rows.set(name, (rows = []));
    return rows;
  }

  nextOutboxId(): string {
    this.lastOutboxId += 1;
    return String(this.lastOutboxId);
  }

  async openSession(): Promise<InMemoryDatabaseSession> {
    return new InMemoryDatabaseSession(this);
  }

  copy(): State {
    const rows = new Map([...this.rows].map(([name, list]) => [name, list.map((row) => ({ ...row }))]));
    return { rows, outbox: this.outbox.map((entry) => ({ ...entry })) };
  }

  restore(state: State): void {
    this.rows = state.rows;
    this.outbox = state.outbox;
  }
}

export class InMemoryDatabaseSession implements DatabaseSession {
  readonly id = randomUUID();
  /** The state at begin, then at each savepoint. */
  private readonly copies: State[] = [];
  released = false;

  constructor(readonly tables: InMemoryTables) {}

  get inTransaction(): boolean {
    return this.copies.length > 0;
  }

  async begin(): Promise<void> {
    if (this.inTransaction) throw new Error('a transaction is already open');
    this.copies.push(this.tables.copy());
  }

  async commit(): Promise<void> {
    this.copies.length = 0;
  }

  async rollback(): Promise<void> {
    const start = this.copies[0];
    if (start) this.tables.restore(start);
    this.copies.length = 0;
  }

  async release(): Promise<void> {
    if (this.inTransaction) await this.rollback();
    this.released = true;
  }

  savepoint(): void {
    if (!this.inTransaction) throw new Error('SAVEPOINT outside a transaction');
    this.copies.push(this.tables.copy());
  }

  rollbackToSavepoint(): void {
    const point = this.copies.pop();
    if (point) this.tables.restore(point);
  }

  releaseSavepoint(): void {
    this.copies.pop();
  }
}

export function inMemorySession(session: DatabaseSession): InMemoryDatabaseSession {
  if (!(session instanceof InMemoryDatabaseSession)) throw new Error('not an in-memory session');
  return session;
}
