import { PgSchemaCatalog } from '../../src/adapters/postgres/pg-schema-catalog';
import type { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { schemaCatalogContract } from '../contract/schema-catalog.contract';
import { testPgDatabase } from '../support/pg-database';
import { scratchDatabase } from '../support/scratch-database';

/**
 * WIDGETS as DDL, with what the catalog must leave out around it: a dropped column, unique indexes
 * that are partial or on an expression (no usable conflict target), a view, a table of another schema.
 */
const WIDGETS_DDL = `
  CREATE TABLE widgets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name varchar(50) NOT NULL,
    gone integer,
    code text UNIQUE,
    size numeric(5,2),
    labels jsonb DEFAULT '{}',
    made_at timestamp DEFAULT now(),
    UNIQUE (name, size)
  );
  ALTER TABLE widgets DROP COLUMN gone;
  CREATE UNIQUE INDEX widgets_lower_name ON widgets (lower(name));
  CREATE UNIQUE INDEX widgets_positive_code ON widgets (code) WHERE size > 0;
  CREATE VIEW widget_names AS SELECT name FROM widgets;
  CREATE SCHEMA elsewhere;
  CREATE TABLE elsewhere.hidden (id integer PRIMARY KEY);`;

let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let db: PgSqlDatabase;
beforeAll(async () => {
  scratch = await scratchDatabase();
  db = testPgDatabase(scratch.url);
});
afterAll(async () => {
  await db.close();
  await scratch.drop();
});

schemaCatalogContract('PgSchemaCatalog', async () => {
  await db.withClient((client) => client.query('DROP SCHEMA IF EXISTS elsewhere CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA public'));
  return {
    catalog: new PgSchemaCatalog(db),
    createWidgets: async () => void (await db.withClient((client) => client.query(WIDGETS_DDL))),
    close: async () => undefined,
  };
});
