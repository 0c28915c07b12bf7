import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import type { Express } from 'express';
import { MIGRATION_LOCK_KEY } from '../../src/adapters/postgres/pg-migration-schema';
import { tempMigrationsDir, type TempMigrationsDir } from '../support/migrations-dir';
import { scratchDatabase } from '../support/scratch-database';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

const BROKEN = {
  name: '29990101_001_broken.sql',
  content: '-- description: Broken on purpose\nCREATE TABLE broken_first (id INTEGER);\nSELECT * FROM no_such_table_anywhere;\n',
};

/** An app over an empty scratch database and its own copy of the migrations folder. */
async function freshApp(extra: Array<{ name: string; content: string }> = []) {
  const scratch = await scratchDatabase();
  const migrations = tempMigrationsDir({ extra });
  const t = await buildTestApp({ env: { DATABASE_URL: scratch.url, MIGRATIONS_DIR: migrations.dir }, migrate: false });
  const sql = new Client({ connectionString: scratch.url });
  await sql.connect();
  return {
    t,
    migrations,
    sql,
    tableExists: async (name: string) => (await sql.query('SELECT to_regclass($1) IS NOT NULL AS e', [name])).rows[0].e as boolean,
    close: async () => {
      await t.close();
      await sql.end();
      await scratch.drop();
      migrations.remove();
    },
  };
}

/** Polls the run until it leaves "running" (bounded by the test timeout, not by a clock). */
async function finished(app: Express, token: string, id: string) {
  for (;;) {
    const res = await request(app).get(`/api/v1/migrations/runs/${id}`).set(bearer(token)).expect(200);
    if (res.body.status !== 'running') return res.body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('migrations API', () => {
  let admin: string;
  let env: Awaited<ReturnType<typeof freshApp>>;
  let t: TestApp;
  let migrations: TempMigrationsDir;
  const status = async () => (await request(t.app).get('/api/v1/migrations/status').set(bearer(admin)).expect(200)).body;
  const run = (body: object) => request(t.app).post('/api/v1/migrations/run').set(bearer(admin)).send(body);

  beforeAll(async () => {
    admin = await aToken({ role: 'admin' });
  });
  afterEach(() => env.close());
  const open = async (extra: Array<{ name: string; content: string }> = []) => {
    env = await freshApp(extra);
    t = env.t;
    migrations = env.migrations;
  };

  it('lists every migration as pending on an empty database', async () => {
    await open();
    const body = await status();
    expect(body).toMatchObject({ current_version: null, last_migration: null, applied_count: 0, modified_migrations: [] });
    expect(body.pending_migrations.map((m: { version: string }) => m.version)).toEqual(migrations.shippedVersions);
    for (const m of body.pending_migrations) {
      expect(m).toEqual({ version: expect.any(String), description: expect.any(String), estimated_duration: expect.stringMatching(/^\d+ (second|minute|hour)s?$/), estimated_duration_ms: expect.any(Number) });
    }
    const health = await request(t.app).get('/health').expect(200);
    expect(health.body.checks.migrations).toMatchObject({ status: 'DEGRADED', migrations: 'pending', pending_count: migrations.shippedVersions.length });
  });

  it('runs every pending migration in the background, then reports up to date', async () => {
    await open();
    const versions = migrations.shippedVersions;
    const started = await run({}).expect(202);
    expect(started.body).toMatchObject({
      migration_id: expect.stringMatching(/^mig_[0-9a-f]+$/),
      status: 'running',
      progress: { current_step: 1, total_steps: versions.length, estimated_remaining: expect.any(String) },
    });
    expect(started.headers.location).toBe(`/api/v1/migrations/runs/${started.body.migration_id}`);

    const done = await finished(t.app, admin, started.body.migration_id);
    expect(done).toMatchObject({ status: 'completed', error: null, progress: { current_step: versions.length, total_steps: versions.length } });
    expect(done.steps.map((s: { version: string; status: string }) => [s.version, s.status])).toEqual(versions.map((v) => [v, 'completed']));

    const after = await status();
    expect(after).toMatchObject({ current_version: versions.at(-1), pending_migrations: [], applied_count: versions.length });
    expect(after.last_migration).toEqual({ version: versions.at(-1), applied_at: expect.any(String), duration_ms: expect.any(Number) });
    for (const table of ['users', 'projects', 'content_analysis', 'media_assets', 'files', 'file_metadata', 'file_transformations', 'cdn_cache', 'analysis_jobs']) {
      expect(await env.tableExists(table)).toBe(true);
    }
    const health = await request(t.app).get('/health').expect(200);
    expect(health.body.checks.migrations).toMatchObject({ status: 'UP', migrations: 'up_to_date', current_version: versions.at(-1), pending_count: 0 });

    const again = await run({}).expect(200);
    expect(again.body).toMatchObject({ status: 'completed', progress: { current_step: 0, total_steps: 0 }, migrations: [] });
  });

  it('plans a dry run without executing anything', async () => {
    await open();
    const res = await run({ dry_run: true }).expect(200);
    expect(res.body).toMatchObject({ status: 'dry_run', dry_run: true, progress: { total_steps: migrations.shippedVersions.length } });
    expect(res.body.migrations.map((m: { version: string }) => m.version)).toEqual(migrations.shippedVersions);
    expect(await env.tableExists('users')).toBe(false);
    expect((await status()).pending_migrations).toHaveLength(migrations.shippedVersions.length);
  });

  it('stops at target_version, and refuses to go back behind it', async () => {
    await open();
    const [first, second, ...rest] = migrations.shippedVersions;
    const started = await run({ target_version: second }).expect(202);
    expect(started.body).toMatchObject({ target_version: second, progress: { total_steps: 2 } });
    expect((await finished(t.app, admin, started.body.migration_id)).status).toBe('completed');

    const body = await status();
    expect(body.current_version).toBe(second);
    expect(body.pending_migrations.map((m: { version: string }) => m.version)).toEqual(rest);

    const back = await run({ target_version: first }).expect(422);
    expect(back.body.error).toMatchObject({ code: 'MIGRATION_DOWNGRADE_NOT_SUPPORTED', details: { target_version: first, current_version: second } });
    expect(back.body.error.message).toMatch(/no down migrations/);
  });

  it('answers 422 for an unknown target_version and 400 for a malformed one', async () => {
    await open();
    const unknown = await run({ target_version: '19990101_001' }).expect(422);
    expect(unknown.body.error).toMatchObject({ code: 'UNKNOWN_MIGRATION_VERSION', details: { target_version: '19990101_001' }, request_id: expect.any(String), service: expect.any(String), timestamp: expect.any(String) });
    const malformed = await run({ target_version: 'latest' }).expect(400);
    expect(malformed.body.error.code).toBe('VALIDATION_ERROR');
    expect(await env.tableExists('users')).toBe(false);
  });

  it('is for admins only: 401 without a token, 403 for other roles', async () => {
    await open();
    const user = await aToken({ role: 'premium' });
    await request(t.app).get('/api/v1/migrations/status').expect(401);
    await request(t.app).post('/api/v1/migrations/run').send({}).expect(401);
    await request(t.app).get('/api/v1/migrations/runs/mig_x').expect(401);
    const forbidden = await request(t.app).get('/api/v1/migrations/status').set(bearer(user)).expect(403);
    expect(forbidden.body.error.code).toBe('FORBIDDEN');
    await request(t.app).post('/api/v1/migrations/run').set(bearer(user)).send({}).expect(403);
    await request(t.app).get('/api/v1/migrations/runs/mig_x').set(bearer(user)).expect(403);
    expect(await env.tableExists('users')).toBe(false);
  });

  it('answers 404 for an unknown run', async () => {
    await open();
    const res = await request(t.app).get('/api/v1/migrations/runs/mig_nope').set(bearer(admin)).expect(404);
    expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', details: { migration_id: 'mig_nope' } });
  });

  it('reports a migration failing halfway on its run, with the previous version intact and its first statement rolled back', async () => {
    await open([BROKEN]);
    const started = await run({}).expect(202);
    const done = await finished(t.app, admin, started.body.migration_id);
    expect(done).toMatchObject({ status: 'failed', error: { version: '29990101_001', message: expect.stringContaining('no_such_table_anywhere') } });
    expect(done.steps.at(-1)).toMatchObject({ version: '29990101_001', status: 'failed' });
    expect(done.steps.slice(0, -1).every((s: { status: string }) => s.status === 'completed')).toBe(true);

    const body = await status();
    expect(body.current_version).toBe(migrations.shippedVersions.at(-1));
    expect(body.pending_migrations.map((m: { version: string }) => m.version)).toEqual(['29990101_001']);
    expect(await env.tableExists('users')).toBe(true);
    expect(await env.tableExists('broken_first')).toBe(false);
  });

  it('answers 409 with the standard error body while another session holds the migration lock', async () => {
    await open();
    const other = new Client({ connectionString: t.config.databaseUrl });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      const res = await run({}).expect(409);
      expect(res.body).toEqual({
        error: { code: 'MIGRATION_IN_PROGRESS', message: expect.any(String), details: {}, timestamp: expect.any(String), request_id: expect.any(String), service: 'visiobook-data-platform' },
      });
      expect(await env.tableExists('users')).toBe(false);
      await other.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
    } finally {
      await other.end();
    }
    const started = await run({}).expect(202);
    expect((await finished(t.app, admin, started.body.migration_id)).status).toBe('completed');
  });

  it('answers 409 naming the run in progress to a second run started meanwhile', async () => {
    await open();
    // Holding a lock on a table the first migration must create keeps that run in progress.
    const blocker = new Client({ connectionString: t.config.databaseUrl });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('CREATE TABLE users (id INTEGER)');
      const first = await run({}).expect(202);
      const second = await run({}).expect(409);
      expect(second.body.error).toMatchObject({ code: 'MIGRATION_IN_PROGRESS', details: { migration_id: first.body.migration_id } });
      await blocker.query('ROLLBACK');
      expect((await finished(t.app, admin, first.body.migration_id)).status).toBe('completed');
    } finally {
      await blocker.end();
    }
  });

  it('reports an applied migration whose script changed since, without re-running it', async () => {
    await open();
    const started = await run({}).expect(202);
    await finished(t.app, admin, started.body.migration_id);
    const [first] = migrations.shippedVersions;
    const file = fs.readdirSync(migrations.dir).find((f) => f.startsWith(first!))!;
    migrations.write(file, `${fs.readFileSync(path.join(migrations.dir, file), 'utf8')}\n-- edited after being applied\n`);
    const body = await status();
    expect(body.modified_migrations).toEqual([{ version: first, applied_checksum: expect.any(String), current_checksum: expect.any(String) }]);
    expect(body.pending_migrations).toEqual([]);
    const health = await request(t.app).get('/health').expect(200);
    expect(health.body.checks.migrations).toMatchObject({ status: 'DEGRADED', migrations: 'up_to_date', modified_count: 1 });
  });

  it('documents the three endpoints in the OpenAPI document', async () => {
    await open();
    const doc = await request(t.app).get('/api/v1/openapi.json').expect(200);
    expect(doc.body.paths['/api/v1/migrations/status'].get.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.body.paths['/api/v1/migrations/run'].post.responses).toHaveProperty('409');
    expect(doc.body.paths['/api/v1/migrations/runs/{migration_id}'].get.responses).toHaveProperty('404');
  });
});
