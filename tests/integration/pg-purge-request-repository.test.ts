import type { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { PgPurgeRequestRepository } from '../../src/adapters/postgres/pg-purge-request-repository';
import { migratedScratchDatabase, type MigratedScratchDatabase } from '../support/migrated-scratch-database';
import { purgeRequestRepositoryContract } from '../contract/purge-request-repository.contract';

let scratch: MigratedScratchDatabase;
let db: PgSqlDatabase;

beforeAll(async () => {
  scratch = await migratedScratchDatabase();
  db = scratch.db;
});
afterAll(async () => {
  await scratch.close();
});

purgeRequestRepositoryContract('PgPurgeRequestRepository', async () => new PgPurgeRequestRepository(db));
