import { InMemoryObjectStore } from '../../src/adapters/in-memory/fakes/in-memory-object-store';
import { objectListerContract } from '../contract/object-lister.contract';

objectListerContract('InMemoryObjectStore', async () => ({ store: new InMemoryObjectStore(), close: async () => undefined }));
