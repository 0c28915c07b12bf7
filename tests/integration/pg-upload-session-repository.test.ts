import type { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { migratedScratchDatabase, type MigratedScratchDatabase } from '../support/migrated-scratch-database';
import { PgUploadSessionRepository } from '../../src/adapters/postgres/pg-upload-session-repository';
import { uploadSessionRepositoryContract } from '../contract/upload-session-repository.contract';

let scratch: MigratedScratchDatabase;
let db: PgSqlDatabase;

beforeAll(async () => {
  scratch = await migratedScratchDatabase();
  db = scratch.db;
});
afterAll(async () => {
  await scratch.close();
});

uploadSessionRepositoryContract('PgUploadSessionRepository', async () => new PgUploadSessionRepository(db));
