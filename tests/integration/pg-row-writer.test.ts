import { PgRowWriter } from '../../src/adapters/postgres/pg-row-writer';
import type { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import type { SchemaCatalog } from '../../src/application/ports/schema-catalog.port';
import type { SqlDatabase } from '../../src/application/ports/sql-database.port';
import { TOKENS } from '../../src/infrastructure/tokens';
import { rowWriterContract } from '../contract/row-writer.contract';
import { buildTestContainer } from '../support/test-app';

/** On the run's migrated database; every test's writes are rolled back with its transaction. */
let wired: Awaited<ReturnType<typeof buildTestContainer>>;
beforeAll(async () => {
  wired = await buildTestContainer();
});
afterAll(() => wired.close());

rowWriterContract('PgRowWriter', async () => {
  const db = wired.container.get<SqlDatabase>(TOKENS.SqlDatabase) as PgSqlDatabase;
  const schema = await wired.container.get<SchemaCatalog>(TOKENS.SchemaCatalog).snapshot();
  const session = await db.openSession();
  await session.begin();
  return { writer: new PgRowWriter(), schema, session, close: () => session.release() };
});
