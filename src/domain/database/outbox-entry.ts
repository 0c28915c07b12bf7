import type { RedisCommand } from './redis-command';

/** What a committed transaction still owes the outside world, one effect per outbox entry. */
export type OutboxEffect = { kind: 'redis'; command: RedisCommand } | { kind: 'invalidate'; tables: string[] };

export interface NewOutboxEntry {
  /** The operation's 1-based index in its request; 0 for the transaction's cache invalidation. */
  seq: number;
  effect: OutboxEffect;
}

export interface OutboxEntry extends NewOutboxEntry {
  /** Orders every entry of every transaction: effects apply in id order. */
  id: string;
  transactionId: string;
}

/** An entry done: applied, or refused by Redis for good (`error`). */
export interface OutboxOutcome {
  id: string;
  error: string | null;
}

/** Names one entry for good across retries, instances and databases: transaction ids are random. */
export function effectMarker(entry: Pick<OutboxEntry, 'transactionId' | 'seq'>): string {
  return `${entry.transactionId}:${entry.seq}`;
}

/**
 * The entries one transaction records: its cache invalidation first (fresh reads must not wait on a
 * Redis operation), then its Redis operations in request order.
 */
export function outboxEntriesOf(redis: ReadonlyArray<{ operation: number; command: RedisCommand }>, tables: readonly string[]): NewOutboxEntry[] {
  const entries: NewOutboxEntry[] = tables.length > 0 ? [{ seq: 0, effect: { kind: 'invalidate', tables: [...tables] } }] : [];
  for (const r of redis) entries.push({ seq: r.operation, effect: { kind: 'redis', command: r.command } });
  return entries;
}
