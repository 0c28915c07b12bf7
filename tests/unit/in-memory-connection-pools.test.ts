import { InMemoryConnectionPools } from '../../src/adapters/in-memory/fakes/in-memory-connection-pools';
import { DatabaseUnavailable } from '../../src/domain/shared/errors';
import { connectionPoolsContract } from '../contract/connection-pools.contract';
import { databaseSessionContract } from '../contract/database-session.contract';

connectionPoolsContract('InMemoryConnectionPools', async () => ({ pools: new InMemoryConnectionPools(2), max: 2, close: async () => undefined }));

databaseSessionContract(
  "InMemoryConnectionPools' sessions",
  async () => {
    const pools = new InMemoryConnectionPools();
    return {
      open: () => pools.openSession('write'),
      // The fake's switch for a transaction in which a statement failed.
      failAStatement: async (session) => void (pools.sessions.find((s) => s.id === session.id)!.aborted = true),
      close: async () => undefined,
    };
  },
  { rows: false, failingStatements: true },
);

describe('InMemoryConnectionPools', () => {
  it('can play an unreachable server', async () => {
    const pools = new InMemoryConnectionPools();
    pools.down = true;
    await expect(pools.openSession('write')).rejects.toBeInstanceOf(DatabaseUnavailable);
  });
});
