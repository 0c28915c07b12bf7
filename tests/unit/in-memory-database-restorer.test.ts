import { Readable } from 'node:stream';
import { InMemoryDatabaseRestorer } from '../../src/adapters/in-memory/fakes/in-memory-database-restorer';
import { databaseRestorerContract } from '../contract/database-restorer.contract';

databaseRestorerContract('InMemoryDatabaseRestorer', async () => {
  const restorer = new InMemoryDatabaseRestorer();
  return {
    restorer,
    archive: async (fileIds) => Readable.from([Buffer.from(JSON.stringify({ tables: { files: fileIds, notes: ['a', 'b', 'c'] } }))]),
    drop: async (name) => restorer.drop(name),
  };
});
