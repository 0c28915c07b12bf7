import { randomBytes } from 'node:crypto';
import type { CommitEffects } from '../../src/application/ports/commit-effects.port';
import type { DatabaseSession } from '../../src/application/ports/database-session.port';
import type { OutboxStore } from '../../src/application/ports/outbox-store.port';
import { outboxEntriesOf } from '../../src/domain/database/outbox-entry';

/** Committed writes through an outbox store, as RunTransaction leaves them for PostCommit and the relay. */
export function outboxWrites(store: OutboxStore, openSession: () => Promise<DatabaseSession>) {
  const commit = async (tables: string[], redis: Parameters<typeof outboxEntriesOf>[0]): Promise<CommitEffects> => {
    const session = await openSession();
    const transactionId = `tx_${randomBytes(12).toString('hex')}`;
    try {
      await session.begin();
      await store.record(session, transactionId, outboxEntriesOf(redis, tables));
      await session.commit();
    } finally {
      await session.release();
    }
    return { tables, outboxTransactionId: transactionId };
  };
  return {
    /** A write that set `key` to `value` and wrote `tables`. */
    commitSet: (tables: string[], key: string, value: string) => commit(tables, [{ operation: 1, command: { op: 'set', key, value, ttlSeconds: null } }]),
    /** A write whose invalidation stays owed; the function returned marks it applied, as its request would. */
    owe: async (): Promise<() => Promise<void>> => {
      const { outboxTransactionId } = await commit(['projects'], []);
      return async () => {
        const entries = await store.pendingThrough(outboxTransactionId!, 100);
        await store.markApplied(entries.filter((e) => e.transactionId === outboxTransactionId).map((e) => ({ id: e.id, error: null })));
      };
    },
  };
}
