import { InMemoryFileRepository } from '../../src/adapters/in-memory/fakes/in-memory-file-repository';
import { InMemoryTransformationRepository } from '../../src/adapters/in-memory/fakes/in-memory-transformation-repository';
import { transformationRepositoryContract } from '../contract/transformation-repository.contract';

transformationRepositoryContract('InMemoryTransformationRepository', async () => ({
  transformations: new InMemoryTransformationRepository(),
  files: new InMemoryFileRepository(),
}));
