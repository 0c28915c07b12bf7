import { InMemoryBackups } from '../../src/adapters/in-memory/fakes/in-memory-backups';
import { backupRepositoryContract } from '../contract/backup-repository.contract';

backupRepositoryContract('InMemoryBackups', async () => {
  const store = new InMemoryBackups();
  return { backups: store, retained: store, seedManifest: async (id, entries) => store.recordManifest(id, entries),
    reviveFile: async (key) => {
      store.livePaths.add(key);
    },
  };
});
