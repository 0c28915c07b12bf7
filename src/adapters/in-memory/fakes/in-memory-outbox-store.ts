import type { Clock } from '../../../application/ports/clock.port';
import type { DatabaseSession } from '../../../application/ports/database-session.port';
import type { OutboxStore } from '../../../application/ports/outbox-store.port';
import type { NewOutboxEntry, OutboxEntry, OutboxOutcome } from '../../../domain/database/outbox-entry';
import { inMemorySession, type InMemoryTables, type StoredOutboxEntry } from './in-memory-tables';

/** The fake outbox, kept with the fake tables so it commits and rolls back with them. */
export class InMemoryOutboxStore implements OutboxStore {
  private relaying = false;

  constructor(
    private readonly tables: InMemoryTables,
    private readonly clock: Clock = { now: () => new Date() },
    private readonly graceMs = 1_000,
  ) {}

  async record(session: DatabaseSession, transactionId: string, entries: readonly NewOutboxEntry[]): Promise<void> {
    if (!inMemorySession(session).inTransaction) throw new Error('the outbox is written inside a transaction');
    for (const entry of entries) {
      if (this.tables.outbox.some((e) => e.transactionId === transactionId && e.seq === entry.seq)) throw new Error('duplicate outbox entry');
      this.tables.outbox.push({ ...entry, id: this.tables.nextOutboxId(), transactionId, createdAt: this.now(), appliedAt: null, error: null });
    }
  }

  async pendingThrough(transactionId: string, limit: number): Promise<OutboxEntry[]> {
    const unapplied = this.unapplied();
    const own = unapplied.filter((e) => e.transactionId === transactionId);
    const lastByKey = new Map<string, number>();
    for (const e of own) if (e.effect.kind === 'redis') lastByKey.set(e.effect.command.key, Number(e.id));
    const earlierOnSameKey = (e: StoredOutboxEntry) => e.effect.kind === 'redis' && Number(e.id) < (lastByKey.get(e.effect.command.key) ?? -Infinity);
    return unapplied
      .filter((e) => e.transactionId === transactionId || earlierOnSameKey(e))
      .slice(0, limit)
      .map(publicEntry);
  }

  async markApplied(outcomes: readonly OutboxOutcome[]): Promise<void> {
    for (const outcome of outcomes) {
      const entry = this.tables.outbox.find((e) => e.id === outcome.id);
      if (entry && entry.appliedAt === null) Object.assign(entry, { appliedAt: this.now(), error: outcome.error });
    }
  }

  async relay(batchSize: number, apply: (entries: OutboxEntry[]) => Promise<OutboxOutcome[]>): Promise<number | null> {
    if (this.relaying) return null;
    if (!this.unapplied().some((e) => e.createdAt < this.now() - this.graceMs)) return 0;
    this.relaying = true;
    try {
      let total = 0;
      for (;;) {
        const batch = this.unapplied().slice(0, batchSize).map(publicEntry);
        const outcomes = batch.length > 0 ? await apply(batch) : [];
        await this.markApplied(outcomes);
        total += outcomes.length;
        if (outcomes.length < batch.length || batch.length < batchSize) return total;
      }
    } finally {
      this.relaying = false;
    }
  }

  async hasPendingInvalidations(): Promise<boolean> {
    return (await this.newestPendingInvalidation()) !== null;
  }

  async newestPendingInvalidation(): Promise<string | null> {
    const owed = this.unapplied().filter((e) => e.effect.kind === 'invalidate');
    return owed.length > 0 ? (owed[owed.length - 1] as { id: string }).id : null;
  }

  async invalidationsSettledThrough(position: string): Promise<boolean> {
    return !this.unapplied().some((e) => e.effect.kind === 'invalidate' && Number(e.id) <= Number(position));
  }

  async purgeApplied(before: Date): Promise<number> {
    const kept = this.tables.outbox.filter((e) => e.appliedAt === null || e.appliedAt >= before.getTime());
    const purged = this.tables.outbox.length - kept.length;
    this.tables.outbox = kept;
    return purged;
  }

  /** Every entry, applied or not, as stored (for assertions). */
  all(): readonly StoredOutboxEntry[] {
    return this.tables.outbox;
  }

  private unapplied(): StoredOutboxEntry[] {
    return this.tables.outbox.filter((e) => e.appliedAt === null).sort((a, b) => Number(a.id) - Number(b.id));
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}

function publicEntry(entry: StoredOutboxEntry): OutboxEntry {
  return { id: entry.id, transactionId: entry.transactionId, seq: entry.seq, effect: entry.effect };
}
