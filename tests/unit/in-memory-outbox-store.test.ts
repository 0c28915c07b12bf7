import { InMemoryOutboxStore } from '../../src/adapters/in-memory/fakes/in-memory-outbox-store';
import { InMemoryTables } from '../../src/adapters/in-memory/fakes/in-memory-tables';
import { outboxStoreContract } from '../contract/outbox-store.contract';
import { FakeClock } from '../support/fake-clock';

outboxStoreContract('InMemoryOutboxStore', async () => {
  const tables = new InMemoryTables();
  const clock = new FakeClock(new Date());
  const store = new InMemoryOutboxStore(tables, clock, 200);
  return {
    store,
    begin: async () => {
      const session = await tables.openSession();
      await session.begin();
      return session;
    },
    elapse: async (ms) => clock.advance(ms),
    // A relay pass stuck in its apply holds the fake's lock.
    holdRelayLock: async () => {
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const running = store.relay(1, async () => {
        await gate;
        return [];
      });
      return async () => {
        open();
        await running;
      };
    },
    close: async () => undefined,
  };
});
