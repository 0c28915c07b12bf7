import request from 'supertest';
import { InMemoryDatabaseStatusReader } from '../../src/adapters/in-memory/fakes/in-memory-database-status-reader';
import { DbStatusResponseSchema } from '../../src/adapters/http/schemas/db-status.schemas';
import type { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { TOKENS } from '../../src/infrastructure/tokens';
import { capturingLogger, type CapturingLogger } from '../support/capturing-logger';
import { expectStandardError } from '../support/error-body';
import { sampleValue } from '../support/prometheus-text';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

describe('GET /api/v1/db/status', () => {
  let t: TestApp;
  let admin: string;
  let log: CapturingLogger;
  const status = async (app = t.app) => (await request(app).get('/api/v1/db/status').set(bearer(admin)).expect(200)).body;

  beforeAll(async () => {
    admin = await aToken({ role: 'admin' });
    log = capturingLogger('info');
    t = await buildTestApp({ background: false, env: { SLOW_QUERY_MS: '100' }, overrides: { [TOKENS.Logger]: log.logger } });
  });
  afterAll(() => t.close());

  it('gives an admin every part, in the documented shape, with the schema tables and sizes', async () => {
    const body = await status();
    expect(() => DbStatusResponseSchema.parse(body)).not.toThrow();
    for (const part of ['server', 'database', 'connections', 'performance', 'replication', 'slow_queries', 'index_advice', 'locks', 'last_backup', 'restricted_sql']) {
      expect(body[part]).toMatchObject({ available: true });
    }
    expect(body.server.version).toMatch(/^\d+\.\d+/);
    expect(Date.parse(body.server.started_at)).toBeLessThanOrEqual(Date.now());
    expect(body.database.name).toBe(new URL(t.config.databaseUrl!).pathname.slice(1));
    expect(body.database.size_bytes).toBeGreaterThan(0);
    const files = body.database.tables.find((table: { name: string }) => table.name === 'files');
    expect(files).toMatchObject({ schema: 'public' });
    expect(files.total_bytes).toBeGreaterThan(0);
    expect(files).toHaveProperty('last_autovacuum');
    expect(body.connections.max_connections).toBeGreaterThan(0);
    expect(body.connections.by_state.active).toBeGreaterThanOrEqual(1);
    expect(body.connections.pools).toEqual([expect.objectContaining({ name: 'primary', max: 5, waiting: 0 })]);
    expect(body.connections.leases_open).toEqual({ read: 0, write: 0 });
    expect(body.performance.commits).toBeGreaterThan(0);
    expect(body.replication).toMatchObject({ role: 'primary', replicas: [] });
    // The shared server does not preload pg_stat_statements: the service's own timings stand in.
    expect(body.slow_queries.source).toBe('service');
    expect(body.slow_queries.statements.length).toBeGreaterThan(0);
    expect(body.index_advice.thresholds).toEqual({ min_rows: 10_000, min_bytes: 8 * 1024 * 1024 });
    // Other suites of the run may hold locks in this database: only the shape is certain here (integration tests cover the content).
    expect(body.locks).toMatchObject({ available: true, waiting: expect.any(Array), blockers: expect.any(Array) });
    // Another suite of the run may have completed a backup in this database: null, or its summary.
    expect(body.last_backup.available).toBe(true);
    if (body.last_backup.backup !== null) expect(body.last_backup.backup).toMatchObject({ id: expect.any(String), kind: expect.any(String), completed_at: expect.any(String), age_seconds: expect.any(Number) });
    expect(body.restricted_sql).toMatchObject({ available: true, role: 'vb_sql_reader', present: true, usable: true, reason: null, grants: [] });
    expect(body.restricted_sql.readable_tables).toEqual(expect.arrayContaining(['files', 'users']));
  });

  it('refuses a user token (403) and a missing one (401)', async () => {
    expectStandardError(await request(t.app).get('/api/v1/db/status').set(bearer(await aToken({ role: 'user' }))), 403, 'FORBIDDEN');
    expectStandardError(await request(t.app).get('/api/v1/db/status'), 401, 'UNAUTHORIZED');
  });

  it('logs a slow statement once, normalized, without its values, and counts it in /metrics', async () => {
    const db = t.container.get<PgSqlDatabase>(TOKENS.PgSqlDatabase);
    await db.withClient((client) => client.query("SELECT pg_sleep($1), $2::text AS v, 'inline-secret' AS w", ['0.3', 'param-secret']));
    // Migrations may have been slow too: only this statement's line matters here.
    const slow = log.lines().filter((line) => line.msg === 'slow query' && String(line.query).includes('pg_sleep'));
    expect(slow).toHaveLength(1);
    expect(slow[0]).toMatchObject({ level: 'warn', query: 'SELECT pg_sleep($1), $2::text AS v, ? AS w', kind: 'select', table: 'none', threshold_ms: 100 });
    expect(slow[0]!.duration_ms).toBeGreaterThanOrEqual(290);
    expect(log.raw.join('\n')).not.toMatch(/inline-secret|param-secret/);

    const metrics = await request(t.app).get('/metrics').set(bearer(admin)).expect(200);
    expect(sampleValue(metrics.text, 'db_slow_query_duration_seconds_count', { table: 'none', kind: 'select' })).toBe(1);

    const listed = (await status()).slow_queries.statements.find((s: { query: string }) => s.query === 'SELECT pg_sleep($1), $2::text AS v, ? AS w');
    expect(listed).toMatchObject({ calls: 1, rows: 1 });
    expect(listed.max_ms).toBeGreaterThanOrEqual(290);
  });

  it('answers a part that fails or hangs as unavailable, with no internals, while the others answer', async () => {
    const reader = new InMemoryDatabaseStatusReader();
    reader.fail('performance', 'hangs');
    reader.fail('locks', 'throws');
    reader.fail('connections', 'throws');
    const broken = await buildTestApp({ background: false, migrate: false, env: { HEALTH_CHECK_TIMEOUT_MS: '300' }, overrides: { [TOKENS.DatabaseStatusReader]: reader } });
    try {
      const started = Date.now();
      const body = await status(broken.app);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(() => DbStatusResponseSchema.parse(body)).not.toThrow();
      expect(body.performance).toEqual({ available: false, reason: 'no answer within 300ms' });
      expect(body.locks).toEqual({ available: false, reason: 'could not be read (see the service log)' });
      // The service's own side of the connections is still there when the server's view fails.
      expect(body.connections).toMatchObject({ available: false, pools: [expect.objectContaining({ name: 'primary' })], leases_open: { read: 0, write: 0 } });
      expect(body.database).toMatchObject({ available: true, name: 'visiobook_test' });
      expect(body.server).toMatchObject({ available: true, version: '15.8' });
      expect(JSON.stringify(body)).not.toMatch(/hunter2|db\.internal|ECONNREFUSED/);
    } finally {
      await broken.close();
    }
  });
});

describe('GET /api/v1/db/status in the OpenAPI document', () => {
  it('is listed, admin only, with the report schema', async () => {
    const t = await buildTestApp({ background: false, migrate: false });
    try {
      const doc = (await request(t.app).get('/api/v1/openapi.json').expect(200)).body;
      const op = doc.paths['/api/v1/db/status'].get;
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '401', '403']));
      expect(doc.components.schemas.DbStatus.properties).toHaveProperty('slow_queries');
    } finally {
      await t.close();
    }
  });
});
