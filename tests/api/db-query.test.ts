import request from 'supertest';
import { TOKENS } from '../../src/infrastructure/tokens';
import { capturingLogger } from '../support/capturing-logger';
import { expectStandardError } from '../support/error-body';
import { SeedRows } from '../support/seed-rows';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

describe('POST /api/v1/db/query (restricted SQL)', () => {
  const captured = capturingLogger('info');
  let t: TestApp;
  let seed: SeedRows;
  let admin: string;
  let adminId: string;
  let user: { id: string; email: string };

  const query = (body: object, token = admin) => request(t.app).post('/api/v1/db/query').set(bearer(token)).send(body);
  // Other test files write to the run's database at the same time: check this file's own row, not counts.
  const userIntact = async () => (await seed.sql.query('SELECT email FROM users WHERE id = $1', [user.id])).rows[0]?.email === user.email;

  beforeAll(async () => {
    t = await buildTestApp({ background: false, overrides: { [TOKENS.Logger]: captured.logger } });
    seed = await SeedRows.connect();
    adminId = '5d1a4c3e-0000-4000-8000-000000000001';
    admin = await aToken({ role: 'admin', sub: adminId });
    user = (await seed.user()) as { id: string; email: string };
  });
  afterAll(async () => {
    await seed.close();
    await t.close();
  });

  it('answers the rows of a SELECT with params, columns typed by name and values as the structured query gives them', async () => {
    const res = await query({
      sql: `SELECT id, email, created_at, 12345678901234::bigint AS big, 1.50::numeric AS amount, '{"a": [1]}'::jsonb AS doc, '\\xdead'::bytea AS raw, NULL::int AS nothing
              FROM users WHERE email = $1 AND id = $2`,
      params: [user.email, user.id],
    }).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.columns).toEqual([
      { name: 'id', type: 'uuid' },
      { name: 'email', type: 'character varying' },
      { name: 'created_at', type: 'timestamp without time zone' },
      { name: 'big', type: 'bigint' },
      { name: 'amount', type: 'numeric' },
      { name: 'doc', type: 'jsonb' },
      { name: 'raw', type: 'bytea' },
      { name: 'nothing', type: 'integer' },
    ]);
    expect(res.body.rows).toHaveLength(1);
    const [id, email, createdAt, big, amount, doc, raw, nothing] = res.body.rows[0];
    expect({ id, email, big, amount, doc, raw, nothing }).toEqual({
      id: user.id,
      email: user.email,
      big: '12345678901234',
      amount: '1.50',
      doc: { a: [1] },
      raw: { type: 'Buffer', data: [0xde, 0xad] },
      nothing: null,
    });
    expect(new Date(createdAt).toISOString()).toBe(createdAt);
    expect(res.body).toMatchObject({ row_count: 1, truncated: false, execution_time_ms: expect.any(Number) });
  });

  it('keeps repeated column names apart (rows are arrays)', async () => {
    const res = await query({ sql: 'SELECT 1 AS a, 2 AS a' }).expect(200);
    expect(res.body.columns.map((c: { name: string }) => c.name)).toEqual(['a', 'a']);
    expect(res.body.rows).toEqual([[1, 2]]);
  });

  it('allows a CTE of selects, a join, a window function and an EXPLAIN', async () => {
    await seed.project(user.id);
    const res = await query({
      sql: `WITH mine AS (SELECT id, user_id FROM projects WHERE user_id = $1)
            SELECT u.email, row_number() OVER (ORDER BY m.id) FROM mine m JOIN users u ON u.id = m.user_id`,
      params: [user.id],
    }).expect(200);
    expect(res.body.rows).toEqual([[user.email, '1']]);
    const plan = await query({ sql: 'EXPLAIN SELECT id FROM users WHERE email = $1', params: ['x'] }).expect(200);
    expect(plan.body.columns).toEqual([{ name: 'QUERY PLAN', type: 'text' }]);
    expect(plan.body.rows.flat().join('\n')).toMatch(/users/);
  });

  it('accepts a trailing semicolon and comments around the statement', async () => {
    const res = await query({ sql: '/* why */ SELECT 1 AS one; -- done' }).expect(200);
    expect(res.body.rows).toEqual([[1]]);
  });

  it('binds params as values: an injection attempt is just a string that matches nothing', async () => {
    const res = await query({ sql: 'SELECT id FROM users WHERE email = $1', params: ["'1; DROP TABLE users; --"] }).expect(200);
    expect(res.body).toMatchObject({ rows: [], row_count: 0 });
    const echoed = await query({ sql: 'SELECT $1::text AS v', params: ['1; DROP TABLE users'] }).expect(200);
    expect(echoed.body.rows).toEqual([['1; DROP TABLE users']]);
    expect(await userIntact()).toBe(true);
  });

  it('refuses a params count that does not match the $n the statement uses', async () => {
    const res = await query({ sql: 'SELECT $1::int + $2::int', params: [1] });
    expect(expectStandardError(res, 400, 'VALIDATION_ERROR').message).toMatch(/2 parameter/);
  });

  it.each([
    ['DELETE', 'DELETE FROM users', 'DELETE'],
    ['DROP', 'DROP TABLE users', 'DROP'],
    ['two statements', 'SELECT 1; DELETE FROM users', '2 statements'],
    ['a data-modifying CTE', 'WITH d AS (DELETE FROM users RETURNING id) SELECT count(*) FROM d', 'data-modifying WITH (DELETE)'],
    ['SELECT … INTO', 'SELECT * INTO stolen FROM users', 'SELECT … INTO'],
    ['FOR UPDATE', 'SELECT id FROM users FOR UPDATE', 'locking clause FOR UPDATE'],
    ['SET', 'SET ROLE postgres', 'SET'],
    ['COPY', "COPY users TO '/tmp/x'", 'COPY'],
    ['COMMIT', 'COMMIT', 'transaction control (COMMIT)'],
    ['EXPLAIN ANALYZE', 'EXPLAIN ANALYZE SELECT 1', 'EXPLAIN ANALYZE'],
    ['pg_read_file', "SELECT pg_read_file('/etc/passwd')", 'function pg_read_file'],
    ['set_config', "SELECT set_config('role', 'postgres', true)", 'function set_config'],
    ['pg_sleep', 'SELECT pg_sleep(1)', 'function pg_sleep'],
  ])('refuses %s with 400 SQL_NOT_ALLOWED naming it, and writes nothing', async (_, sql, found) => {
    const error = expectStandardError(await query({ sql }), 400, 'SQL_NOT_ALLOWED');
    expect(error.details.found).toBe(found);
    expect(error.message).toContain(found);
    expect(await userIntact()).toBe(true);
    expect(await seed.sql.query("SELECT to_regclass('stolen') AS t").then((r) => r.rows[0].t)).toBeNull();
  });

  it('answers 400 SQL_SYNTAX_ERROR with the position of the error', async () => {
    const error = expectStandardError(await query({ sql: 'SELECT id FROM users WHERE' }), 400, 'SQL_SYNTAX_ERROR');
    expect(error.message).toMatch(/syntax error at end of input/);
    expect(error.details.position).toBe(27);
  });

  it('answers 400 SQL_EXECUTION_ERROR when PostgreSQL refuses the statement, with its SQLSTATE and position', async () => {
    const error = expectStandardError(await query({ sql: 'SELECT no_such_column FROM users' }), 400, 'SQL_EXECUTION_ERROR');
    expect(error.details).toEqual({ sqlstate: '42703', position: 8 });
  });

  it('caps the rows at max_rows and says the answer was truncated', async () => {
    const res = await query({ sql: 'SELECT g FROM generate_series(1, 100000) g', max_rows: 10 }).expect(200);
    expect(res.body.rows).toEqual(Array.from({ length: 10 }, (_, i) => [i + 1]));
    expect(res.body).toMatchObject({ row_count: 10, truncated: true });
    const exact = await query({ sql: 'SELECT g FROM generate_series(1, 10) g', max_rows: 10 }).expect(200);
    expect(exact.body).toMatchObject({ row_count: 10, truncated: false });
  });

  it('cancels a query past timeout_ms with 504 QUERY_TIMEOUT', async () => {
    const started = Date.now();
    const res = await query({ sql: 'SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b', timeout_ms: 200 });
    expect(expectStandardError(res, 504, 'QUERY_TIMEOUT').details).toEqual({ timeout_ms: 200 });
    expect(Date.now() - started).toBeLessThan(5_000);
    // The connection went back to the pool usable: the next query runs.
    await query({ sql: 'SELECT 1' }).expect(200);
  });

  it('refuses a secret column with 403 SQL_PERMISSION_DENIED (PostgreSQL itself, as the reader role)', async () => {
    const error = expectStandardError(await query({ sql: 'SELECT password_hash FROM users' }), 403, 'SQL_PERMISSION_DENIED');
    expect(error.message).toMatch(/permission denied for table users/);
    expectStandardError(await query({ sql: 'SELECT encryption_key_id FROM files' }), 403, 'SQL_PERMISSION_DENIED');
    // SELECT * includes the secret column, so it is refused as a whole.
    expectStandardError(await query({ sql: 'SELECT * FROM users' }), 403, 'SQL_PERMISSION_DENIED');
  });

  it.each(['schema_migrations', 'migration_runs', 'data_outbox', 'upload_sessions', 'cdn_purge_requests', 'db_backups'])(
    'refuses the internal table %s with 403 SQL_PERMISSION_DENIED',
    async (table) => {
      const error = expectStandardError(await query({ sql: `SELECT count(*) FROM ${table}` }), 403, 'SQL_PERMISSION_DENIED');
      expect(error.message).toContain(table);
    },
  );

  it('runs as vb_sql_reader in a read-only transaction', async () => {
    const res = await query({ sql: "SELECT current_user::text, current_setting('transaction_read_only')" });
    // current_setting is not on the allow-list; current_user (an SQL value function) is.
    expectStandardError(res, 400, 'SQL_NOT_ALLOWED');
    const who = await query({ sql: 'SELECT current_user::text, session_user::text' }).expect(200);
    expect(who.body.rows[0][0]).toBe('vb_sql_reader');
  });

  it('logs every call with its SQL and caller, never its params', async () => {
    captured.raw.length = 0;
    await query({ sql: 'SELECT $1::text AS secret_value_marker', params: ['hunter2-param-value'] }).expect(200);
    await query({ sql: 'DELETE FROM users' }).expect(400);
    const lines = captured.lines().filter((l) => String(l.msg).startsWith('restricted SQL'));
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', msg: 'restricted SQL ran', sql: 'SELECT $1::text AS secret_value_marker', user_id: adminId, params_count: 1, row_count: 1 }),
      expect.objectContaining({ level: 'info', msg: 'restricted SQL refused', sql: 'DELETE FROM users', user_id: adminId, refused: 'SQL_NOT_ALLOWED' }),
    ]);
    expect(captured.raw.join('\n')).not.toContain('hunter2-param-value');
  });

  it('validates the body: bounds of max_rows and timeout_ms, unknown fields', async () => {
    expectStandardError(await query({ sql: 'SELECT 1', max_rows: 0 }), 400, 'VALIDATION_ERROR');
    expectStandardError(await query({ sql: 'SELECT 1', max_rows: 10_001 }), 400, 'VALIDATION_ERROR');
    expectStandardError(await query({ sql: 'SELECT 1', timeout_ms: 60_001 }), 400, 'VALIDATION_ERROR');
    expectStandardError(await query({ sql: '' }), 400, 'VALIDATION_ERROR');
    expectStandardError(await query({ sql: 'SELECT 1', database: 'postgres' }), 400, 'VALIDATION_ERROR');
  });

  it('is for admins only: 403 for a user token, 401 without one', async () => {
    expectStandardError(await query({ sql: 'SELECT 1' }, await aToken({ role: 'user' })), 403, 'FORBIDDEN');
    expectStandardError(await query({ sql: 'SELECT 1' }, await aToken({ role: 'premium' })), 403, 'FORBIDDEN');
    expectStandardError(await request(t.app).post('/api/v1/db/query').send({ sql: 'SELECT 1' }), 401, 'UNAUTHORIZED');
  });
});
