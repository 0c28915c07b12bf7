import { PgFileRepository } from '../../src/adapters/postgres/pg-file-repository';
import type { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { migratedScratchDatabase, type MigratedScratchDatabase } from '../support/migrated-scratch-database';
import { fileRepositoryContract } from '../contract/file-repository.contract';

let scratch: MigratedScratchDatabase;
let db: PgSqlDatabase;

beforeAll(async () => {
  scratch = await migratedScratchDatabase();
  db = scratch.db;
});
afterAll(async () => {
  await scratch.close();
});

fileRepositoryContract('PgFileRepository', async () => new PgFileRepository(db));
