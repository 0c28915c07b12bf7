import { InMemoryExclusiveLocks } from '../../src/adapters/in-memory/fakes/in-memory-exclusive-locks';
import { exclusiveLocksContract } from '../contract/exclusive-locks.contract';

exclusiveLocksContract('InMemoryExclusiveLocks', async () => {
  const holders = new Map<string, InMemoryExclusiveLocks>();
  const first = new InMemoryExclusiveLocks(holders);
  const second = new InMemoryExclusiveLocks(holders);
  return {
    first,
    second,
    loseSession: async (locks) => (locks as InMemoryExclusiveLocks).loseAll(),
    close: async () => {
      await first.close();
      await second.close();
    },
  };
});
