import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { expectStandardError } from '../support/error-body';
import { adminQuery, assertTestDatabaseName, currentRun, withDatabase } from '../support/run-resources';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

/**
 * A managed server: the service's user owns its database but may not create roles (no CREATEROLE,
 * not a superuser). The migration must still pass, and restricted SQL answers 503 with the exact
 * statements an operator runs; once they are run, it works.
 */
describe('POST /api/v1/db/query when the service user cannot use vb_sql_reader', () => {
  const suffix = randomBytes(4).toString('hex');
  const role = `vb_test_nocreaterole_${suffix}`;
  const database = `vb_test_${currentRun().runId}_sqlrole_${suffix}`;
  let t: TestApp | undefined;
  let admin: string;

  beforeAll(async () => {
    assertTestDatabaseName(database);
    const adminUrl = currentRun().adminUrl;
    await adminQuery(adminUrl, async (c) => {
      await c.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB`);
      await c.query(`CREATE DATABASE ${database} OWNER ${role}`);
    });
    const url = new URL(withDatabase(adminUrl, database));
    url.username = role;
    url.password = '';
    // Migrates as that user: a migration failing here fails the test.
    t = await buildTestApp({ env: { DATABASE_URL: url.toString() }, background: false });
    admin = await aToken({ role: 'admin' });
  });

  afterAll(async () => {
    await t?.close();
    const adminUrl = currentRun().adminUrl;
    await adminQuery(adminUrl, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await c.query(`DROP ROLE IF EXISTS ${role}`);
    });
  });

  const query = () => request(t!.app).post('/api/v1/db/query').set(bearer(admin)).send({ sql: 'SELECT email FROM users LIMIT 1' });

  it('answers 503 SQL_ROLE_UNAVAILABLE with the statements an operator must run, which then make it work', async () => {
    const error = expectStandardError(await query(), 503, 'SQL_ROLE_UNAVAILABLE');
    const statements = error.details.statements as string[];
    expect(error.details.role).toBe('vb_sql_reader');
    expect(statements).toEqual(
      expect.arrayContaining([
        'CREATE ROLE vb_sql_reader NOLOGIN;',
        `GRANT vb_sql_reader TO "${role}";`,
        'GRANT USAGE ON SCHEMA public TO vb_sql_reader;',
        expect.stringMatching(/^GRANT SELECT \("id", "email", .*\) ON public\."users" TO vb_sql_reader;$/),
        expect.stringMatching(/^GRANT SELECT \(.*\) ON public\."files" TO vb_sql_reader;$/),
      ]),
    );
    expect(statements.join('\n')).not.toMatch(/password_hash|encryption_key_id|schema_migrations|data_outbox|db_backups/);

    // The operator (a superuser here) runs them in the service's database; the role may already
    // exist, created for another database of the cluster.
    const operator = new Client({ connectionString: withDatabase(currentRun().adminUrl, database) });
    await operator.connect();
    try {
      for (const statement of statements) {
        await operator.query(statement).catch((e: { code?: string }) => {
          if (!(statement.startsWith('CREATE ROLE') && e.code === '42710')) throw e;
        });
      }
    } finally {
      await operator.end();
    }
    const res = await query().expect(200);
    expect(res.body.columns).toEqual([{ name: 'email', type: 'character varying' }]);
  });
});
