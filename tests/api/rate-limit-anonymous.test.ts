import request from 'supertest';
import { expectStandardError } from '../support/error-body';
import { currentRun } from '../support/run-resources';
import { buildTestApp, type TestApp } from '../support/test-app';

/** Anonymous routes are limited per client IP; health probes never are (orchestrators poll them). */
describe('anonymous rate limiting', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A key prefix of its own: other test files' anonymous requests come from the same IP.
    // Migrated: /health/ready is 200 only once every migration is applied.
    t = await buildTestApp({
      env: { RATE_LIMIT_ANONYMOUS: '2', REDIS_KEY_PREFIX: `${currentRun().keyPrefix}anon:` },
    });
  });
  afterAll(() => t.close());

  it('limits an anonymous endpoint by IP with RATE_LIMIT_ANONYMOUS', async () => {
    await request(t.app).get('/api/v1/openapi.json').expect(200);
    await request(t.app).get('/api/v1/openapi.json').expect(200);
    const res = await request(t.app).get('/api/v1/openapi.json');
    const error = expectStandardError(res, 429, 'RATE_LIMIT_EXCEEDED');
    expect(error.details).toMatchObject({ limit: 2 });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('never limits the health probes', async () => {
    for (let i = 0; i < 5; i++) {
      await request(t.app).get('/health').expect(200);
      await request(t.app).get('/health/live').expect(200);
      await request(t.app).get('/health/ready').expect(200);
    }
  });
});
