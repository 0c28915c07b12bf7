import { PgRestrictedSqlRunner } from '../../src/adapters/postgres/pg-restricted-sql-runner';
import { restrictedSqlRunnerContract } from '../contract/restricted-sql-runner.contract';
import { migratedScratchDatabase, type MigratedScratchDatabase } from '../support/migrated-scratch-database';

let scratch: MigratedScratchDatabase | undefined;
afterAll(() => scratch?.close());

restrictedSqlRunnerContract('PgRestrictedSqlRunner', async () => {
  scratch = await migratedScratchDatabase();
  const db = scratch.db;
  return {
    runner: new PgRestrictedSqlRunner(db),
    // The same pool the runner uses, so a session it left changed would show here.
    admin: async (sql, params = []) => db.withClient(async (client) => (await client.query(sql, params)).rows as Array<Record<string, unknown>>),
  };
});
