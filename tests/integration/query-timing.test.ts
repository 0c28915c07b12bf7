import { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import type { QueryRecorder } from '../../src/adapters/postgres/query-timing';
import { currentRun } from '../support/run-resources';
import { RecordingLogger } from '../support/recording-logger';

describe('PgSqlDatabase statement timing', () => {
  const seen: Array<{ sql: string; durationMs: number; rows: number }> = [];
  const recorder: QueryRecorder = { record: (sql, durationMs, rows) => void seen.push({ sql, durationMs, rows }) };
  let db: PgSqlDatabase;
  beforeAll(() => {
    db = new PgSqlDatabase(
      { connectionString: currentRun().databaseUrl, min: 0, max: 2, idleTimeoutMs: 1_000, connectTimeoutMs: 5_000, statementTimeoutMs: 30_000, applicationName: 'vb-test' },
      new RecordingLogger(),
      recorder,
    );
  });
  beforeEach(() => void seen.splice(0));
  afterAll(() => db.close());

  it('times pool work, query objects and session statements alike, with the text as sent and no values', async () => {
    await db.withClient((c) => c.query('SELECT pg_sleep($1::float8 / 1000), generate_series(1, 3)', [30]));
    await db.withClient((c) => c.query({ text: 'SELECT $1::text AS v', values: ['secret'] }));
    const session = await db.openSession();
    await session.begin();
    await session.commit();
    await session.release();
    expect(seen.map((s) => s.sql)).toEqual(['SELECT pg_sleep($1::float8 / 1000), generate_series(1, 3)', 'SELECT $1::text AS v', 'BEGIN', 'COMMIT']);
    expect(seen[0]!.durationMs).toBeGreaterThanOrEqual(25);
    expect(seen[0]!.rows).toBe(3);
    expect(JSON.stringify(seen)).not.toContain('secret');
  });

  it('records a failed statement too, and the error still reaches the caller', async () => {
    await expect(db.withClient((c) => c.query('SELECT * FROM no_such_table_here'))).rejects.toThrow(/no_such_table_here/);
    expect(seen).toEqual([expect.objectContaining({ sql: 'SELECT * FROM no_such_table_here', rows: 0 })]);
  });

  it('leaves the callback form untouched', async () => {
    const rows = await db.withClient(
      (c) => new Promise<number>((resolve, reject) => void c.query('SELECT 1 AS one', (error: Error | undefined, result: { rowCount: number | null }) => (error ? reject(error) : resolve(result.rowCount ?? 0)))),
    );
    expect(rows).toBe(1);
    expect(seen).toEqual([]);
  });
});
