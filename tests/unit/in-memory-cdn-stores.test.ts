import { InMemoryCdnCacheStore } from '../../src/adapters/in-memory/fakes/in-memory-cdn-cache-store';
import { InMemoryFileRepository } from '../../src/adapters/in-memory/fakes/in-memory-file-repository';
import { InMemoryPurgeRequestRepository } from '../../src/adapters/in-memory/fakes/in-memory-purge-request-repository';
import { cdnCacheStoreContract } from '../contract/cdn-cache-store.contract';
import { purgeRequestRepositoryContract } from '../contract/purge-request-repository.contract';

purgeRequestRepositoryContract('InMemoryPurgeRequestRepository', async () => new InMemoryPurgeRequestRepository());

cdnCacheStoreContract('InMemoryCdnCacheStore', async () => {
  const files = new InMemoryFileRepository();
  const store = new InMemoryCdnCacheStore(files);
  return { store, files, cacheRows: async (fileId) => store.cacheRows(fileId) };
});
