import { PgPreparedStatements } from '../../src/adapters/postgres/pg-prepared-statements';
import { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { RecordingLogger } from '../support/recording-logger';
import { scratchDatabase } from '../support/scratch-database';

/** Named statements on a real PostgreSQL: reused per connection, bounded, and surviving a column type change. */
describe('PgPreparedStatements', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let db: PgSqlDatabase;
  const preparedCount = () =>
    db.withClient(async (client) => Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM pg_prepared_statements')).rows[0]?.n));

  beforeAll(async () => {
    scratch = await scratchDatabase();
    // One connection, so every statement below meets the statements prepared before it.
    db = new PgSqlDatabase(
      { connectionString: scratch.url, min: 0, max: 1, idleTimeoutMs: 10_000, connectTimeoutMs: 5_000, statementTimeoutMs: 30_000, applicationName: 'vb-test' },
      new RecordingLogger(),
    );
    await db.withClient((client) => client.query("CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL); INSERT INTO t VALUES (1, 10), (2, 20)"));
  });
  afterAll(async () => {
    await db.close();
    await scratch.drop();
  });

  it('prepares a statement text once per connection and binds each call\'s values', async () => {
    const prepared = new PgPreparedStatements(10);
    const select = { text: 'SELECT v FROM t WHERE id = $1', values: [1] };
    const first = await db.withClient((client) => prepared.query<{ v: number }>(client, select));
    const second = await db.withClient((client) => prepared.query<{ v: number }>(client, { ...select, values: [2] }));
    expect([first.rows, second.rows]).toEqual([[{ v: 10 }], [{ v: 20 }]]);
    expect(await preparedCount()).toBe(1);
  });

  it('runs texts beyond its limit unnamed', async () => {
    const prepared = new PgPreparedStatements(1);
    const before = await preparedCount();
    await db.withClient((client) => prepared.query(client, { text: 'SELECT id FROM t WHERE v = $1', values: [10] }));
    const rows = await db.withClient((client) => prepared.query<{ id: number }>(client, { text: 'SELECT id FROM t WHERE v > $1 ORDER BY id', values: [0] }));
    expect(rows.rows).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await preparedCount()).toBe(before + 1);
  });

  it('answers correctly after a migration changes the type of a column it selects', async () => {
    const prepared = new PgPreparedStatements(10);
    const select = { text: 'SELECT id, v FROM t WHERE id = $1', values: [1] };
    await db.withClient((client) => prepared.query(client, select));
    await db.withClient((client) => client.query('ALTER TABLE t ALTER COLUMN v TYPE text'));
    const after = await db.withClient((client) => prepared.query<{ id: number; v: string }>(client, select));
    expect(after.rows).toEqual([{ id: 1, v: '10' }]);
    const again = await db.withClient((client) => prepared.query<{ id: number; v: string }>(client, { ...select, values: [2] }));
    expect(again.rows).toEqual([{ id: 2, v: '20' }]);
  });
});
