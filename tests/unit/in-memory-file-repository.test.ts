import { InMemoryFileRepository } from '../../src/adapters/in-memory/fakes/in-memory-file-repository';
import { fileRepositoryContract } from '../contract/file-repository.contract';

fileRepositoryContract('InMemoryFileRepository', async () => new InMemoryFileRepository());
