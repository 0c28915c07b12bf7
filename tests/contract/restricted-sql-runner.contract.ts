import type { RestrictedSqlRequest, RestrictedSqlRunner } from '../../src/application/ports/restricted-sql-runner.port';
import { QueryTimeout, SqlExecutionFailed, SqlNotAllowed, SqlPermissionDenied } from '../../src/domain/database/restricted-sql/errors';

export interface RunnerUnderTest {
  runner: RestrictedSqlRunner;
  /** Runs SQL as the service itself (not through the runner): to seed and to check what changed. */
  admin(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
}

const select = (sql: string, extra: Partial<RestrictedSqlRequest> = {}): RestrictedSqlRequest => ({ sql, params: [], maxRows: 100, timeoutMs: 5_000, kind: 'select', ...extra });

/**
 * Layers 2 and 3 of restricted SQL on their own, without the parser's policy in front: what the
 * runner guarantees even for a statement the policy should have stopped. Runs over a database with
 * the shipped migrations (users, files, schema_migrations, the vb_sql_reader role).
 */
export function restrictedSqlRunnerContract(name: string, make: () => Promise<RunnerUnderTest>): void {
  describe(`${name} (RestrictedSqlRunner contract)`, () => {
    let t: RunnerUnderTest;
    beforeAll(async () => {
      t = await make();
    });
    const users = async () => Number((await t.admin('SELECT count(*) AS n FROM users'))[0]!.n);

    it('runs a select with params: columns typed by name, rows as arrays', async () => {
      const result = await t.runner.run(select('SELECT $1::int + 1 AS n, $2::text AS s, now() AS at', { params: [41, 'x'] }));
      expect(result.columns).toEqual([
        { name: 'n', type: 'integer' },
        { name: 's', type: 'text' },
        { name: 'at', type: 'timestamp with time zone' },
      ]);
      expect(result.rows).toEqual([[42, 'x', expect.any(Date)]]);
      expect(result.truncated).toBe(false);
    });

    it('returns max_rows rows at most and says so', async () => {
      const result = await t.runner.run(select('SELECT g FROM generate_series(1, 1000000) g', { maxRows: 3 }));
      expect(result).toMatchObject({ rows: [[1], [2], [3]], truncated: true });
    });

    it('runs an EXPLAIN as is', async () => {
      const result = await t.runner.run(select('EXPLAIN SELECT 1', { kind: 'explain' }));
      expect(result.columns).toEqual([{ name: 'QUERY PLAN', type: 'text' }]);
    });

    it('refuses a write that slipped past the policy, and nothing changes', async () => {
      await t.admin("INSERT INTO users (email, password_hash) VALUES ('runner-contract@example.com', 'x') ON CONFLICT DO NOTHING");
      await t.admin('CREATE SEQUENCE IF NOT EXISTS runner_contract_seq');
      const before = await users();
      await expect(t.runner.run(select('WITH d AS (DELETE FROM users RETURNING 1) SELECT count(*) FROM d', { kind: 'explain' }))).rejects.toBeInstanceOf(SqlNotAllowed);
      const refused = await t.runner.run(select("SELECT nextval('runner_contract_seq')")).catch((e: unknown) => e);
      expect(refused instanceof SqlPermissionDenied || refused instanceof SqlNotAllowed).toBe(true);
      expect(await users()).toBe(before);
      expect((await t.admin('SELECT last_value, is_called FROM runner_contract_seq'))[0]).toMatchObject({ is_called: false });
    });

    it('keeps nothing even when the role is switched back and a function writes (set_config and lo_* are layer 1\'s to refuse)', async () => {
      // SET ROLE is checked against the session user, the service's own: this is why the policy
      // refuses SET/RESET and set_config. lo_create is not stopped by READ ONLY; the ROLLBACK undoes it.
      const objects = async () => Number((await t.admin('SELECT count(*) AS n FROM pg_largeobject_metadata'))[0]!.n);
      const before = await objects();
      const escape = "SELECT set_config('role', current_setting('session_authorization'), true) AS r, lo_create(0) AS o";
      await t.runner.run(select(escape)).catch(() => undefined);
      expect(await objects()).toBe(before);
    });

    it('runs as the reader role: no secret column, no internal table', async () => {
      const [who] = (await t.runner.run(select('SELECT current_user::text'))).rows;
      expect(who).toEqual(['vb_sql_reader']);
      await expect(t.runner.run(select('SELECT password_hash FROM users'))).rejects.toBeInstanceOf(SqlPermissionDenied);
      await expect(t.runner.run(select('SELECT * FROM schema_migrations'))).rejects.toBeInstanceOf(SqlPermissionDenied);
      await expect(t.runner.run(select("SELECT pg_read_file('/etc/hostname')"))).rejects.toBeInstanceOf(SqlPermissionDenied);
      const allowed = await t.runner.run(select('SELECT email FROM users LIMIT 1'));
      expect(allowed.columns).toEqual([{ name: 'email', type: 'character varying' }]);
    });

    it('cancels a statement past its timeout with QueryTimeout', async () => {
      await expect(
        t.runner.run(select('SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b', { timeoutMs: 100 })),
      ).rejects.toBeInstanceOf(QueryTimeout);
    });

    it('reports what PostgreSQL refused, with its SQLSTATE and the position in the caller\'s text', async () => {
      const error = await t.runner.run(select('SELECT 1/0, nope FROM users')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SqlExecutionFailed);
      expect((error as SqlExecutionFailed).details).toEqual({ sqlstate: '42703', position: 13 });
    });

    it('leaves every pooled session as it found it: own role, read-write, default timeout', async () => {
      await Promise.all(Array.from({ length: 8 }, () => t.runner.run(select('SELECT 1')).catch(() => undefined)));
      await t.runner.run(select('SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b', { timeoutMs: 50 })).catch(() => undefined);
      const sessions = await Promise.all(
        Array.from({ length: 5 }, () => t.admin("SELECT current_user::text AS who, current_setting('transaction_read_only') AS ro, current_setting('work_mem') AS wm")),
      );
      for (const [row] of sessions) expect(row).toMatchObject({ ro: 'off' });
      for (const [row] of sessions) expect(row!.who).not.toBe('vb_sql_reader');
    });
  });
}
