import request from 'supertest';
import { metricsRoutes } from '../../src/adapters/http/routes/metrics.routes';
import type { PrometheusMetrics } from '../../src/adapters/metrics/prometheus-metrics';
import { TOKENS } from '../../src/infrastructure/tokens';
import { expectStandardError } from '../support/error-body';
import { sampleValue } from '../support/prometheus-text';
import { buildRouteTestApp } from '../support/route-test-app';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

describe('GET /metrics', () => {
  let t: TestApp;
  let admin: { Authorization: string };
  beforeAll(async () => {
    t = await buildTestApp({ migrate: false });
    admin = bearer(await aToken({ role: 'admin' }));
  });
  afterAll(() => t.close());

  const scrape = async () => (await request(t.app).get('/metrics').set(admin).expect(200)).text;

  it('refuses an anonymous caller (401) and a user (403)', async () => {
    expectStandardError(await request(t.app).get('/metrics'), 401, 'UNAUTHORIZED');
    expectStandardError(await request(t.app).get('/metrics').set(bearer(await aToken({ role: 'user' }))), 403, 'FORBIDDEN');
  });

  it('serves the Prometheus text format to an admin', async () => {
    const res = await request(t.app).get('/metrics').set(admin).expect(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.text).toMatch(/^# HELP /);
  });

  it('counts requests by route template, method and status', async () => {
    const before = sampleValue(await scrape(), 'http_request_duration_seconds_count', { route: '/health', method: 'GET', status_code: '200' }) ?? 0;
    await request(t.app).get('/health').expect(200);
    await request(t.app).get('/health').expect(200);
    const after = sampleValue(await scrape(), 'http_request_duration_seconds_count', { route: '/health', method: 'GET', status_code: '200' });
    expect(after).toBe(before + 2);
  });

  it('labels unmatched paths "unmatched", never with the raw path', async () => {
    await request(t.app).get('/api/v1/users/4f9b0c52-unlikely-path').expect(404);
    const text = await scrape();
    expect(sampleValue(text, 'http_request_duration_seconds_count', { route: 'unmatched', method: 'GET', status_code: '404' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('4f9b0c52-unlikely-path');
  });

  it('labels refused requests with the route they were refused on', async () => {
    await request(t.app).get('/metrics').expect(401);
    expect(sampleValue(await scrape(), 'http_request_duration_seconds_count', { route: '/metrics', status_code: '401' })).toBeGreaterThanOrEqual(1);
  });

  it('includes the default process metrics, labelled with the service', async () => {
    const text = await scrape();
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(sampleValue(text, name, { service: 'visiobook-data-platform' })).toEqual(expect.any(Number));
    }
  });

  it('reports the PostgreSQL pool', async () => {
    await request(t.app).get('/health').expect(200);
    const text = await scrape();
    expect(sampleValue(text, 'db_pool_max_connections')).toBe(5);
    const active = sampleValue(text, 'db_pool_active_connections');
    const idle = sampleValue(text, 'db_pool_idle_connections');
    expect(active! + idle!).toBeGreaterThanOrEqual(1);
    expect(sampleValue(text, 'db_pool_waiting_requests')).toBe(0);
  });

  it('declares cache hit and miss counters, and counts them by cache', async () => {
    expect(await scrape()).toMatch(/^# TYPE cache_hits_total counter$[\s\S]*^# TYPE cache_misses_total counter$/m);
    const metrics = t.container.get<PrometheusMetrics>(TOKENS.Metrics);
    metrics.hit('query');
    metrics.hit('query');
    metrics.miss('query');
    const text = await scrape();
    expect(sampleValue(text, 'cache_hits_total', { cache: 'query' })).toBe(2);
    expect(sampleValue(text, 'cache_misses_total', { cache: 'query' })).toBe(1);
  });
});

describe('http_request_duration_seconds on a parameterised route', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildRouteTestApp((routes, container) => {
      metricsRoutes(routes, container.get<PrometheusMetrics>(TOKENS.Metrics));
      routes.define({
        method: 'get',
        path: '/test/items/:id',
        tag: 'Test',
        auth: 'none',
        summary: 'one item',
        responses: { 200: { description: 'ok' } },
        handler: async () => ({ status: 200, body: {} }),
      });
    });
  });
  afterAll(() => t.close());

  it('labels by the template, not the concrete path', async () => {
    await request(t.app).get('/test/items/item-81723').expect(200);
    const text = (await request(t.app).get('/metrics').set(bearer(await aToken({ role: 'admin' }))).expect(200)).text;
    expect(sampleValue(text, 'http_request_duration_seconds_count', { route: '/test/items/:id' })).toBe(1);
    expect(text).not.toContain('item-81723');
  });
});
