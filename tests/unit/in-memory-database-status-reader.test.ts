import { InMemoryDatabaseStatusReader } from '../../src/adapters/in-memory/fakes/in-memory-database-status-reader';
import { databaseStatusReaderContract } from '../contract/database-status-reader.contract';

databaseStatusReaderContract('InMemoryDatabaseStatusReader', async () => ({ reader: new InMemoryDatabaseStatusReader(), table: 'files', close: async () => undefined }));
