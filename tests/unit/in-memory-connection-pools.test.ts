import { InMemoryConnectionPools } from '../../src/adapters/in-memory/fakes/in-memory-connection-pools';
import { DatabaseUnavailable } from '../../src/domain/shared/errors';
import { connectionPoolsContract } from '../contract/connection-pools.contract';

connectionPoolsContract('InMemoryConnectionPools', async () => ({ pools: new InMemoryConnectionPools(2), max: 2, close: async () => undefined }));

describe('InMemoryConnectionPools', () => {
  it('can play an unreachable server', async () => {
    const pools = new InMemoryConnectionPools();
    pools.down = true;
    await expect(pools.openSession('write')).rejects.toBeInstanceOf(DatabaseUnavailable);
  });
});
