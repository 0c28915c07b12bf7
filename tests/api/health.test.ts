import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';

describe('GET /health over real PostgreSQL and Redis', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  it('reports UP with the seed shape and per-dependency checks', async () => {
    const res = await request(t.app).get('/health').expect(200);
    expect(res.body).toMatchObject({ status: 'UP', service: 'visiobook-data-platform', version: 'test' });
    expect(res.body.checks.postgresql).toMatchObject({ status: 'UP', connections: { active: expect.any(Number), idle: expect.any(Number), total: expect.any(Number) } });
    expect(res.body.checks.postgresql.responseTime).toMatch(/^\d+ms$/);
    expect(res.body.checks.redis).toMatchObject({ status: 'UP', mode: 'redis' });
    expect(res.body.checks.redis.memory).toMatch(/^\d+(\.\d)?(KB|MB|GB)$/);
  });
});
