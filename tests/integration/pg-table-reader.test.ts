import { PgSchemaCatalog } from '../../src/adapters/postgres/pg-schema-catalog';
import { PgTableReader } from '../../src/adapters/postgres/pg-table-reader';
import type { Row } from '../../src/application/ports/table-reader.port';
import type { SchemaSnapshot } from '../../src/domain/database/table-schema';
import { tableReaderContract } from '../contract/table-reader.contract';
import { migratedScratchDatabase, type MigratedScratchDatabase } from '../support/migrated-scratch-database';

/** A migrated database of this file's own, emptied before each test, so an admin's read sees only that test's rows. */
let scratch: MigratedScratchDatabase;
let schema: SchemaSnapshot;
beforeAll(async () => {
  scratch = await migratedScratchDatabase();
  schema = await new PgSchemaCatalog(scratch.db).snapshot();
}, 60_000);
afterAll(() => scratch.close());

/** Rows inserted as given; JSON columns hold objects, sent as JSON text. */
async function insert(table: string, rows: Row[]): Promise<void> {
  await scratch.db.withClient(async (client) => {
    for (const row of rows) {
      const columns = Object.keys(row);
      const values = columns.map((c) => (row[c] !== null && typeof row[c] === 'object' && !(row[c] instanceof Date) ? JSON.stringify(row[c]) : row[c]));
      await client.query(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`, values);
    }
  });
}

tableReaderContract('PgTableReader', async () => {
  await scratch.db.withClient((client) => client.query('TRUNCATE users, projects, content_analysis CASCADE'));
  return {
    reader: new PgTableReader(scratch.db),
    schema,
    seed: insert,
    openSession: () => scratch.db.openSession(),
    close: async () => undefined,
  };
});
