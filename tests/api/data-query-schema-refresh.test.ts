import request from 'supertest';
import { migratedScratchDatabase, type MigratedScratchDatabase } from '../support/migrated-scratch-database';
import { eventually } from '../support/eventually';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

/**
 * A migration run by another instance (or DDL run by hand) is not seen by this instance's own
 * migration path: the periodic catalog re-read (SCHEMA_REFRESH_INTERVAL_MS) catches it up.
 */
describe('the catalog follows schema changes made elsewhere', () => {
  let scratch: MigratedScratchDatabase;
  let app: TestApp;

  beforeAll(async () => {
    scratch = await migratedScratchDatabase();
    app = await buildTestApp({ env: { DATABASE_URL: scratch.url, SCHEMA_REFRESH_INTERVAL_MS: '200' }, migrate: false });
  });
  afterAll(async () => {
    await app.close();
    await scratch.close();
  });

  it('answers for a table created by someone else once the refresh has read it, and forgets a dropped one', async () => {
    const admin = await aToken({ role: 'admin' });
    const query = () => request(app.app).post('/api/v1/data/query').set(bearer(admin)).send({ database: 'postgresql', query_type: 'select', table: 'gadgets', cache: 'bypass' });
    const before = await query();
    expect(before.status).toBe(400);
    expect(JSON.stringify(before.body.error.details)).toContain('gadgets');

    await scratch.db.withClient((c) => c.query(`CREATE TABLE gadgets (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), label text); INSERT INTO gadgets (label) VALUES ('first')`));
    const after = await eventually('the new table to be queryable', async () => {
      const res = await query();
      return res.status === 200 ? res : undefined;
    });
    expect(after.body.data).toEqual([{ id: expect.any(String), label: 'first' }]);

    await scratch.db.withClient((c) => c.query('DROP TABLE gadgets'));
    await eventually('the dropped table to be refused', async () => ((await query()).status === 400 ? true : undefined));
  });
});
