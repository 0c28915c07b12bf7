import { PgMigrationRunStore } from '../../src/adapters/postgres/pg-migration-run-store';
import { migrationRunStoreContract } from '../contract/migration-run-store.contract';
import { testPgDatabase } from '../support/pg-database';
import { scratchDatabase } from '../support/scratch-database';

migrationRunStoreContract('PostgreSQL', async () => {
  const scratch = await scratchDatabase();
  const db = testPgDatabase(scratch.url);
  return {
    store: new PgMigrationRunStore(db),
    close: async () => {
      await db.close();
      await scratch.drop();
    },
  };
});
