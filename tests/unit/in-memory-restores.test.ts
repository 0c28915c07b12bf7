import { InMemoryRestores } from '../../src/adapters/in-memory/fakes/in-memory-restores';
import { restoreRepositoryContract } from '../contract/restore-repository.contract';

restoreRepositoryContract('InMemoryRestores', async () => ({ restores: new InMemoryRestores() }));
