import request from 'supertest';
import type { MigrateToLatest } from '../../src/application/database/migrations/migrate-to-latest';
import { TOKENS } from '../../src/infrastructure/tokens';
import { expectStandardError } from '../support/error-body';
import { eventually } from '../support/eventually';
import { tempMigrationsDir, type TempMigrationsDir } from '../support/migrations-dir';
import { scratchDatabase } from '../support/scratch-database';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

const NEW_TABLES = {
  name: '29990101_001_notes_and_settings.sql',
  content:
    '-- description: A table with an owner and one without\n' +
    'CREATE TABLE notes (id UUID PRIMARY KEY DEFAULT gen_random_uuid(), user_id UUID NOT NULL, body TEXT);\n' +
    "CREATE TABLE app_settings (id SERIAL PRIMARY KEY, name TEXT NOT NULL);\nINSERT INTO app_settings (name) VALUES ('theme');\n",
};

/**
 * Queryable names come from the introspected schema, so it must follow migrations: those applied at
 * start and those run in the background over HTTP. On a scratch database with its own migrations.
 */
describe('the queryable schema follows migrations', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let migrations: TempMigrationsDir;
  let t: TestApp;
  let admin: string;
  let user: string;
  const select = (token: string, table: string) =>
    request(t.app).post('/api/v1/data/query').set(bearer(token)).send({ database: 'postgresql', query_type: 'select', table, cache: 'bypass' });

  beforeAll(async () => {
    scratch = await scratchDatabase();
    migrations = tempMigrationsDir();
    t = await buildTestApp({ env: { DATABASE_URL: scratch.url, MIGRATIONS_DIR: migrations.dir }, migrate: false });
    [admin, user] = await Promise.all([aToken({ role: 'admin' }), aToken()]);
  });
  afterAll(async () => {
    await t.close();
    await scratch.drop();
    migrations.remove();
  });

  it('knows no table before migrating, and the shipped ones once migrated at start', async () => {
    expectStandardError(await select(admin, 'projects'), 400, 'VALIDATION_ERROR');
    await t.container.get<MigrateToLatest>(TOKENS.MigrateOnStart).execute();
    await select(admin, 'projects').expect(200);
  });

  it('knows the tables a background run creates as soon as the run completes', async () => {
    migrations.write(NEW_TABLES.name, NEW_TABLES.content);
    expectStandardError(await select(admin, 'notes'), 400, 'VALIDATION_ERROR');
    const started = await request(t.app).post('/api/v1/migrations/run').set(bearer(admin)).send({}).expect(202);
    await eventually('the run to complete', async () => {
      const run = await request(t.app).get(`/api/v1/migrations/runs/${started.body.migration_id}`).set(bearer(admin)).expect(200);
      return run.body.status === 'completed' ? true : undefined;
    });
    await select(admin, 'notes').expect(200);
    await select(user, 'notes').expect(200);
  });

  it('shows a table without an ownership rule to admins only; to others it does not exist', async () => {
    const res = await select(admin, 'app_settings').expect(200);
    expect(res.body.data).toEqual([{ id: 1, name: 'theme' }]);
    const hidden = expectStandardError(await select(user, 'app_settings'), 400, 'VALIDATION_ERROR');
    const missing = expectStandardError(await select(user, 'app_settingz'), 400, 'VALIDATION_ERROR');
    const withoutName = (e: { message: string; details: unknown }) => JSON.stringify({ message: e.message, details: e.details }).replace(/app_setting[sz]/g, 'T');
    expect(withoutName(hidden)).toBe(withoutName(missing));
  });
});
