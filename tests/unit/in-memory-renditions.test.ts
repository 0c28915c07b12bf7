import { randomUUID } from 'node:crypto';
import { InMemoryRenditions } from '../../src/adapters/in-memory/fakes/in-memory-renditions';
import { renditionRepositoryContract } from '../contract/rendition-repository.contract';

renditionRepositoryContract('InMemoryRenditions', async () => {
  const renditions = new InMemoryRenditions();
  return { renditions, locks: renditions, aFile: async () => randomUUID() };
});
