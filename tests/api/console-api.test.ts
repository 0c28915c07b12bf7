import request from 'supertest';
import { DEVELOPMENT_USERS } from '../../src/adapters/jwt/development-token-minter';
import { ensureConsoleBuilt } from '../support/console-browser';
import { expectStandardError } from '../support/error-body';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

describe('GET /api/v1/admin/metrics/summary', () => {
  let t: TestApp;
  let admin: { Authorization: string };
  beforeAll(async () => {
    t = await buildTestApp();
    admin = bearer(await aToken({ role: 'admin' }));
  });
  afterAll(() => t.close());

  it('refuses an anonymous caller (401) and a user (403)', async () => {
    expectStandardError(await request(t.app).get('/api/v1/admin/metrics/summary'), 401, 'UNAUTHORIZED');
    expectStandardError(await request(t.app).get('/api/v1/admin/metrics/summary').set(bearer(await aToken({ role: 'user' }))), 403, 'FORBIDDEN');
  });

  it('summarizes the requests, latency and errors of the window since the previous summary', async () => {
    await request(t.app).get('/api/v1/admin/metrics/summary').set(admin).expect(200);
    await new Promise((r) => setTimeout(r, 1_100));
    for (let i = 0; i < 6; i++) await request(t.app).get('/health').expect(200);
    for (let i = 0; i < 2; i++) await request(t.app).get('/api/v1/no-such-route').expect(404);
    const res = await request(t.app).get('/api/v1/admin/metrics/summary').set(admin).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.body;
    expect(body.window_seconds).toBeGreaterThanOrEqual(1);
    expect(body.requests.by_status_class['2xx'].total).toBeGreaterThanOrEqual(6);
    expect(body.requests.by_status_class['4xx'].per_second).toBeGreaterThan(0);
    expect(body.requests.per_second).toBeGreaterThan(0);
    // 6 + 2 requests, and the previous summary's own 200 counted after its snapshot.
    expect(body.requests.error_ratio).toBeCloseTo(2 / 9, 2);
    expect(body.requests.latency_ms.p50).toBeGreaterThan(0);
    expect(body.requests.latency_ms.p99).toBeGreaterThanOrEqual(body.requests.latency_ms.p50);
    expect(body.pool).toMatchObject({ max: 5, active: expect.any(Number), waiting: expect.any(Number) });
    expect(body.leases).toEqual({ open: 0 });
    expect(body.jobs).toEqual({ queued: expect.any(Number), running: expect.any(Number) });
    expect(body.cache).toMatchObject({ hits: expect.any(Number), misses: expect.any(Number) });
  });

  it('publishes the transformation job gauge on /metrics', async () => {
    const text = (await request(t.app).get('/metrics').set(admin).expect(200)).text;
    expect(text).toMatch(/^transformation_jobs\{status="queued",service="[^"]+"\} \d+$/m);
  });

  it('is documented in OpenAPI', async () => {
    const doc = (await request(t.app).get('/api/v1/openapi.json').expect(200)).body;
    expect(doc.paths['/api/v1/admin/metrics/summary'].get.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.components.schemas).toHaveProperty('MetricsSummary');
    expect(doc.paths['/api/v1/dev/token'].post.summary).toMatch(/Development only/);
  });
});

describe('POST /api/v1/dev/token', () => {
  it('mints a working token for the development user and admin outside production', async () => {
    const t = await buildTestApp({ migrate: false, background: false });
    try {
      const res = await request(t.app).post('/api/v1/dev/token').send({ role: 'admin' }).expect(200);
      expect(res.body).toMatchObject({ token_type: 'Bearer', role: 'admin', user_id: DEVELOPMENT_USERS.admin });
      expect(res.headers['cache-control']).toBe('no-store');
      await request(t.app).get('/api/v1/admin/metrics/summary').set(bearer(res.body.token)).expect(200);
      const user = await request(t.app).post('/api/v1/dev/token').send({ role: 'user' }).expect(200);
      expectStandardError(await request(t.app).get('/api/v1/admin/metrics/summary').set(bearer(user.body.token)), 403, 'FORBIDDEN');
      expectStandardError(await request(t.app).post('/api/v1/dev/token').send({ role: 'root' }), 400, 'VALIDATION_ERROR');
    } finally {
      await t.close();
    }
  });

  it('does not exist in production', async () => {
    const t = await buildTestApp({ migrate: false, background: false, env: { NODE_ENV: 'production', BACKUP_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') } });
    try {
      expectStandardError(await request(t.app).post('/api/v1/dev/token').send({ role: 'admin' }), 404, 'ROUTE_NOT_FOUND');
      const doc = (await request(t.app).get('/api/v1/openapi.json').expect(200)).body;
      expect(doc.paths).not.toHaveProperty('/api/v1/dev/token');
    } finally {
      await t.close();
    }
  });
});

describe('GET /console', () => {
  let t: TestApp;
  beforeAll(async () => {
    ensureConsoleBuilt();
    t = await buildTestApp({ migrate: false, background: false });
  });
  afterAll(() => t.close());

  it('serves the built page, falls back to it for client-side routes, and caches hashed assets for good', async () => {
    const page = await request(t.app).get('/console/files').expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(page.text)?.[1];
    expect(asset).toBeDefined();
    const js = await request(t.app).get(asset!).expect(200);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    await request(t.app).get('/console/sw.js').expect(200).expect('Cache-Control', 'no-cache');
    await request(t.app).get('/console/assets/missing.js').expect(404);
  });
});
