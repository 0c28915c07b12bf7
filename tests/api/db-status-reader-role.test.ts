import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DbStatusResponseSchema } from '../../src/adapters/http/schemas/db-status.schemas';
import { expectStandardError } from '../support/error-body';
import { adminQuery, assertTestDatabaseName, currentRun, withDatabase } from '../support/run-resources';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

/**
 * A managed server: the service's user owns its database but may not create roles, so it is no
 * member of vb_sql_reader (roles are cluster-wide: the shared server has it from other databases).
 * /db/status says restricted SQL is not usable and names the same statements as the 503 of
 * POST /db/query, less CREATE ROLE for a role that exists.
 */
describe('GET /api/v1/db/status when the service user cannot use vb_sql_reader', () => {
  const suffix = randomBytes(4).toString('hex');
  const role = `vb_test_statusrole_${suffix}`;
  const database = `vb_test_${currentRun().runId}_statusrole_${suffix}`;
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
    t = await buildTestApp({ env: { DATABASE_URL: url.toString() }, background: false });
    admin = await aToken({ role: 'admin' });
  });

  afterAll(async () => {
    await t?.close();
    await adminQuery(currentRun().adminUrl, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await c.query(`DROP ROLE IF EXISTS ${role}`);
    });
  });

  it('reports the role present but not usable, with the grants POST /db/query names, and the rest of the report whole', async () => {
    const body = (await request(t!.app).get('/api/v1/db/status').set(bearer(admin)).expect(200)).body;
    expect(() => DbStatusResponseSchema.parse(body)).not.toThrow();
    expect(body.database).toMatchObject({ available: true, name: database });
    expect(body.restricted_sql).toMatchObject({ available: true, role: 'vb_sql_reader', present: true, usable: false, readable_tables: [] });
    expect(body.restricted_sql.reason).toBe(`the service's user ${role} is not a member of vb_sql_reader, so it cannot SET ROLE to it`);
    const grants = body.restricted_sql.grants as string[];
    expect(grants).toEqual(
      expect.arrayContaining([
        `GRANT vb_sql_reader TO "${role}";`,
        'GRANT USAGE ON SCHEMA public TO vb_sql_reader;',
        expect.stringMatching(/^GRANT SELECT \("id", "email", .*\) ON public\."users" TO vb_sql_reader;$/),
      ]),
    );
    expect(grants.join('\n')).not.toMatch(/CREATE ROLE|password_hash|schema_migrations|db_backups/);

    const refused = expectStandardError(await request(t!.app).post('/api/v1/db/query').set(bearer(admin)).send({ sql: 'SELECT 1' }), 503, 'SQL_ROLE_UNAVAILABLE');
    expect(refused.details.statements).toEqual(['CREATE ROLE vb_sql_reader NOLOGIN;', ...grants]);
  });
});
