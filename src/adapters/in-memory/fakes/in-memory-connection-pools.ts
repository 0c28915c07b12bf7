import { randomUUID } from 'node:crypto';
import type { ConnectionPools } from '../../../application/ports/connection-pools.port';
import type { DatabaseSession } from '../../../application/ports/database-session.port';
import type { PoolStats } from '../../../application/ports/sql-database.port';
import type { LeaseOperation } from '../../../domain/database/lease';
import { DatabaseUnavailable, PoolExhausted, TransactionAborted } from '../../../domain/shared/errors';

/**
 * The unit tests' pools: no SQL, but sessions keep the transaction state and a log of what was
 * done to them. A full pool fails at once (a real pool waits first); `down` makes it unreachable.
 */
export class InMemoryConnectionPools implements ConnectionPools {
  readonly sessions: InMemoryDatabaseSession[] = [];
  down = false;

  constructor(
    private readonly max = 5,
    private readonly urls: Record<LeaseOperation, string> = { write: 'postgresql://app@primary:5432/app', read: 'postgresql://app@replica:5432/app' },
  ) {}

  async openSession(_operation: LeaseOperation): Promise<DatabaseSession> {
    if (this.down) throw new DatabaseUnavailable('Unable to reach the database', { database: 'postgresql' });
    if (this.open().length >= this.max) throw new PoolExhausted(1);
    const session = new InMemoryDatabaseSession();
    this.sessions.push(session);
    return session;
  }

  stats(_operation: LeaseOperation): PoolStats {
    const active = this.open().length;
    return { active, idle: 0, waiting: 0, total: active, max: this.max };
  }

  publicUrl(operation: LeaseOperation): string {
    return this.urls[operation];
  }

  private open(): InMemoryDatabaseSession[] {
    return this.sessions.filter((s) => !s.released);
  }
}

export class InMemoryDatabaseSession implements DatabaseSession {
  readonly id = randomUUID();
  /** What happened, in order: begin, commit, rollback, release. */
  readonly log: string[] = [];
  inTransaction = false;
  released = false;
  /** Makes the open transaction behave as one in which a statement failed. */
  aborted = false;

  async begin(): Promise<void> {
    this.assertUsable();
    this.log.push('begin');
    this.inTransaction = true;
  }

  async commit(): Promise<void> {
    this.assertUsable();
    this.inTransaction = false;
    if (this.aborted) {
      this.aborted = false;
      this.log.push('rollback');
      throw new TransactionAborted();
    }
    this.log.push('commit');
  }

  async rollback(): Promise<void> {
    this.assertUsable();
    this.log.push('rollback');
    this.inTransaction = false;
    this.aborted = false;
  }

  async release(): Promise<void> {
    if (this.released) return;
    if (this.inTransaction) await this.rollback();
    this.log.push('release');
    this.released = true;
  }

  private assertUsable(): void {
    if (this.released) throw new Error('session used after release');
  }
}
