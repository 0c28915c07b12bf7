import { PgInstanceDirectory } from '../../src/adapters/postgres/pg-instance-directory';
import { instanceDirectoryContract } from '../contract/instance-directory.contract';
import { migratedScratchDatabase, type MigratedScratchDatabase } from '../support/migrated-scratch-database';

let scratch: MigratedScratchDatabase;
beforeAll(async () => {
  scratch = await migratedScratchDatabase();
});
afterAll(async () => {
  await scratch.close();
});

instanceDirectoryContract('PgInstanceDirectory', async () => ({
  directory: new PgInstanceDirectory(scratch.db),
  elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}));
