import { InMemoryInstanceDirectory } from '../../src/adapters/in-memory/fakes/in-memory-instance-directory';
import { instanceDirectoryContract } from '../contract/instance-directory.contract';
import { FakeClock } from '../support/fake-clock';

instanceDirectoryContract('InMemoryInstanceDirectory', async () => {
  const clock = new FakeClock();
  return { directory: new InMemoryInstanceDirectory(clock), elapse: async (ms) => clock.advance(ms) };
});
