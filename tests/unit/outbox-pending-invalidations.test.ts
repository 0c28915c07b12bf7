import { OutboxPendingInvalidations } from '../../src/application/database/writes/outbox-pending-invalidations';
import type { OutboxStore } from '../../src/application/ports/outbox-store.port';
import { InMemoryOutboxStore } from '../../src/adapters/in-memory/fakes/in-memory-outbox-store';
import { InMemoryTables } from '../../src/adapters/in-memory/fakes/in-memory-tables';
import { pendingInvalidationsContract } from '../contract/pending-invalidations.contract';
import { outboxWrites } from '../support/outbox-writes';

pendingInvalidationsContract('OutboxPendingInvalidations over the in-memory outbox', async () => {
  const tables = new InMemoryTables();
  const store = new InMemoryOutboxStore(tables);
  return { pending: new OutboxPendingInvalidations(store, 20, 5), owe: outboxWrites(store, () => tables.openSession()).owe, close: async () => undefined };
});

/** Only the two watermark reads matter here; the rest of the store is never called. */
function scripted(newest: Array<string | null>, settled: boolean[]): OutboxStore & { settledCalls: string[] } {
  const settledCalls: string[] = [];
  return {
    settledCalls,
    newestPendingInvalidation: async () => newest.shift() ?? null,
    invalidationsSettledThrough: async (position: string) => {
      settledCalls.push(position);
      return settled.shift() ?? false;
    },
  } as unknown as OutboxStore & { settledCalls: string[] };
}

describe('OutboxPendingInvalidations', () => {
  it('answers yes at once when nothing is owed', async () => {
    await expect(new OutboxPendingInvalidations(scripted([null], [])).none()).resolves.toBe(true);
  });

  it('waits a moment for what is owed to be applied by the requests applying it', async () => {
    const store = scripted(['7'], [false, false, true]);
    await expect(new OutboxPendingInvalidations(store, 100, 1).none()).resolves.toBe(true);
    expect(store.settledCalls).toEqual(['7', '7', '7']);
  });

  it('keeps its mark across checks: later writes do not move it, so steady writes cannot keep the cache off', async () => {
    const store = scripted(['7', '9'], [false, false, true]);
    const pending = new OutboxPendingInvalidations(store, 0, 1);
    await expect(pending.none()).resolves.toBe(false);
    await expect(pending.none()).resolves.toBe(false);
    await expect(pending.none()).resolves.toBe(true);
    expect(store.settledCalls).toEqual(['7', '7', '7']);
  });

});
