import { LibpgQuerySqlParser } from '../../src/adapters/sql/libpg-query-sql-parser';
import { SqlNotAllowed } from '../../src/domain/database/restricted-sql/errors';
import { checkRestrictedSql } from '../../src/domain/database/restricted-sql/restricted-sql-policy';

/** The policy over PostgreSQL's own parse of each text (layer 1 of restricted SQL, alone). */
const parser = new LibpgQuerySqlParser();
const check = async (sql: string) => checkRestrictedSql(await parser.parse(sql));

async function refusal(sql: string): Promise<string> {
  try {
    await check(sql);
  } catch (error) {
    if (error instanceof SqlNotAllowed) return error.found;
    throw error;
  }
  throw new Error(`allowed: ${sql}`);
}

describe('restricted SQL policy', () => {
  describe('allows', () => {
    it.each([
      ['a plain select with params', 'SELECT id, email FROM users WHERE created_at > $1 AND role = $2', 2],
      ['joins and aggregates', 'SELECT p.user_id, count(*), max(p.created_at) FROM projects p JOIN users u ON u.id = p.user_id GROUP BY 1 HAVING count(*) > 1', 0],
      ['window functions', 'SELECT id, row_number() OVER (PARTITION BY user_id ORDER BY created_at), lag(id) OVER w FROM files WINDOW w AS (ORDER BY id)', 0],
      ['a WITH of selects (recursive too)', 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5), big AS (SELECT * FROM files) SELECT * FROM n, big', 0],
      ['EXPLAIN of a select', 'EXPLAIN SELECT * FROM users WHERE id = $1', 1],
      ['EXPLAIN with options, ANALYZE off', 'EXPLAIN (ANALYZE false, COSTS off, FORMAT json) SELECT 1', 0],
      ['SQL-syntax functions (pg_catalog.extract, substring, AT TIME ZONE, trim)', "SELECT extract(year FROM now()), substring('abc' FROM 2), now() AT TIME ZONE 'utc', trim(both ' ' FROM ' a ')", 0],
      ['json, string, date and set-returning functions', "SELECT jsonb_build_object('a', 1) -> 'a', lower(email), date_trunc('day', created_at), g FROM users, generate_series(1, 3) g", 0],
      ['subqueries and set operations', 'SELECT * FROM users WHERE id IN (SELECT user_id FROM projects) UNION SELECT * FROM users WHERE EXISTS (SELECT 1)', 0],
      ['a trailing semicolon and comments', 'SELECT 1; -- done', 0],
      ['pg_catalog-qualified built-ins', 'SELECT pg_catalog.count(*) FROM users', 0],
    ])('%s', async (_, sql, params) => {
      const allowed = await check(sql);
      expect(allowed.paramCount).toBe(params);
      expect(allowed.kind).toBe(sql.startsWith('EXPLAIN') ? 'explain' : 'select');
    });
  });

  describe('refuses, naming what it found', () => {
    it.each([
      ['two statements', 'SELECT 1; SELECT 2', '2 statements'],
      ['no statement', '-- only a comment', '0 statements'],
      ['INSERT', "INSERT INTO users (email) VALUES ('x')", 'INSERT'],
      ['UPDATE', "UPDATE users SET role = 'admin'", 'UPDATE'],
      ['DELETE', 'DELETE FROM users', 'DELETE'],
      ['MERGE', 'MERGE INTO users u USING projects p ON u.id = p.user_id WHEN MATCHED THEN DELETE', 'MERGE'],
      ['DDL: CREATE TABLE', 'CREATE TABLE x (id int)', 'CREATE TABLE'],
      ['DDL: DROP', 'DROP TABLE users', 'DROP'],
      ['DDL: ALTER', 'ALTER TABLE users ADD COLUMN x int', 'ALTER TABLE'],
      ['TRUNCATE', 'TRUNCATE users', 'TRUNCATE'],
      ['GRANT', 'GRANT ALL ON users TO public', 'GRANT/REVOKE'],
      ['SET', 'SET ROLE postgres', 'SET'],
      ['SET LOCAL', "SET LOCAL statement_timeout = '1h'", 'SET'],
      ['RESET', 'RESET ROLE', 'SET'],
      ['SHOW', 'SHOW search_path', 'SHOW'],
      ['COPY', "COPY users TO '/tmp/users.csv'", 'COPY'],
      ['COPY … TO PROGRAM', "COPY (SELECT 1) TO PROGRAM 'id'", 'COPY'],
      ['BEGIN', 'BEGIN', 'transaction control (BEGIN)'],
      ['COMMIT', 'COMMIT', 'transaction control (COMMIT)'],
      ['ROLLBACK', 'ROLLBACK', 'transaction control (ROLLBACK)'],
      ['DO', "DO $$ BEGIN PERFORM 1; END $$", 'DO'],
      ['CALL', 'CALL p()', 'CALL'],
      ['VACUUM', 'VACUUM users', 'VACUUM/ANALYZE'],
      ['LOCK', 'LOCK TABLE users', 'LOCK'],
      ['a data-modifying CTE', 'WITH gone AS (DELETE FROM users RETURNING *) SELECT * FROM gone', 'data-modifying WITH (DELETE)'],
      ['a nested data-modifying CTE', 'WITH a AS (SELECT 1), b AS (UPDATE users SET role = role RETURNING id) SELECT * FROM a', 'data-modifying WITH (UPDATE)'],
      ['SELECT … INTO', 'SELECT * INTO stolen FROM users', 'SELECT … INTO'],
      ['FOR UPDATE', 'SELECT * FROM users FOR UPDATE', 'locking clause FOR UPDATE'],
      ['FOR SHARE in a subquery', 'SELECT * FROM (SELECT * FROM users FOR SHARE) s', 'locking clause FOR SHARE'],
      ['FOR NO KEY UPDATE', 'SELECT * FROM users FOR NO KEY UPDATE', 'locking clause FOR NO KEY UPDATE'],
      ['EXPLAIN ANALYZE', 'EXPLAIN ANALYZE SELECT 1', 'EXPLAIN ANALYZE'],
      ['EXPLAIN (ANALYZE)', 'EXPLAIN (ANALYZE, BUFFERS) SELECT 1', 'EXPLAIN ANALYZE'],
      ['EXPLAIN of a DELETE', 'EXPLAIN DELETE FROM users', 'EXPLAIN DELETE'],
      ['pg_read_file', "SELECT pg_read_file('/etc/passwd')", 'function pg_read_file'],
      ['pg_ls_dir', "SELECT * FROM pg_ls_dir('.')", 'function pg_ls_dir'],
      ['pg_sleep', 'SELECT pg_sleep(10)', 'function pg_sleep'],
      ['dblink', "SELECT * FROM dblink('host=evil', 'SELECT 1') AS t(x int)", 'function dblink'],
      ['lo_import', "SELECT lo_import('/etc/passwd')", 'function lo_import'],
      ['set_config', "SELECT set_config('role', 'postgres', true)", 'function set_config'],
      ['nextval', "SELECT nextval('users_id_seq')", 'function nextval'],
      ['setval', "SELECT setval('s', 1)", 'function setval'],
      ['pg_terminate_backend', 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity', 'function pg_terminate_backend'],
      ['pg_cancel_backend', 'SELECT pg_cancel_backend(1)', 'function pg_cancel_backend'],
      ['pg_advisory_lock', 'SELECT pg_advisory_lock(1)', 'function pg_advisory_lock'],
      ['txid_current', 'SELECT txid_current()', 'function txid_current'],
      ['pg_current_xact_id', 'SELECT pg_current_xact_id()', 'function pg_current_xact_id'],
      ['a function deep in a WHERE', "SELECT 1 FROM users WHERE id IN (SELECT user_id FROM projects WHERE name = current_setting('x'))", 'function current_setting'],
      ['a function in a window frame', 'SELECT sum(1) OVER (ORDER BY pg_backend_pid()) FROM users', 'function pg_backend_pid'],
      ['a schema-qualified user function', 'SELECT public.lower(email) FROM users', 'function public.lower'],
      ['a disallowed function inside a CTE', 'WITH x AS (SELECT pg_sleep(1)) SELECT * FROM x', 'function pg_sleep'],
    ])('%s', async (_, sql, found) => {
      expect(await refusal(sql)).toBe(found);
    });
  });
});
