import { PgFileRepository } from '../../src/adapters/postgres/pg-file-repository';
import type { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { PgTransformationRepository } from '../../src/adapters/postgres/pg-transformation-repository';
import { migratedScratchDatabase, type MigratedScratchDatabase } from '../support/migrated-scratch-database';
import { transformationRepositoryContract } from '../contract/transformation-repository.contract';

let scratch: MigratedScratchDatabase;
let db: PgSqlDatabase;

beforeAll(async () => {
  scratch = await migratedScratchDatabase();
  db = scratch.db;
});
afterAll(async () => {
  await scratch.close();
});

transformationRepositoryContract('PgTransformationRepository', async () => ({
  transformations: new PgTransformationRepository(db),
  files: new PgFileRepository(db),
}));
