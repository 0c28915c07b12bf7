import request from 'supertest';
import type { SqlDatabase } from '../../src/application/ports/sql-database.port';
import { TOKENS } from '../../src/infrastructure/tokens';
import { capturingLogger } from '../support/capturing-logger';
import { expectStandardError } from '../support/error-body';
import { eventually } from '../support/eventually';
import { buildRouteTestApp } from '../support/route-test-app';
import { currentRun } from '../support/run-resources';
import { TcpProxy } from '../support/tcp-proxy';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

const healthOf = (t: TestApp) => request(t.app).get('/health');
const recovered = (t: TestApp, status: 'UP') => eventually(`/health ${status}`, async () => {
  const res = await healthOf(t);
  return res.status === 200 && res.body.status === status ? res : undefined;
});

describe('PostgreSQL outage (through a TCP proxy)', () => {
  const proxy = TcpProxy.forUrl(currentRun().databaseUrl);
  let t: TestApp;
  /** A second app over the same proxied database, with a route that needs it. */
  let dbRoute: TestApp;

  beforeAll(async () => {
    await proxy.start();
    // A connect timeout far beyond the test's: only the health timeout can make /health answer a hung server.
    const env = { DATABASE_URL: proxy.rewrite(currentRun().databaseUrl), HEALTH_CHECK_TIMEOUT_MS: '1000', DB_CONNECT_TIMEOUT: '60000' };
    t = await buildTestApp({ env });
    dbRoute = await buildRouteTestApp(
      (routes, container) =>
        routes.define({
          method: 'get',
          path: '/test/needs-db',
          tag: 'Test',
          auth: 'user',
          summary: 'a round trip to PostgreSQL',
          responses: { 200: { description: 'ok' } },
          handler: async () => {
            await container.get<SqlDatabase>(TOKENS.SqlDatabase).ping();
            return { status: 200, body: { ok: true } };
          },
        }),
      { env },
    );
  });
  afterAll(async () => {
    await proxy.restore();
    await Promise.all([t.close(), dbRoute.close()]);
    await proxy.stop();
  });

  it('is UP while the database answers', async () => {
    const res = await healthOf(t).expect(200);
    expect(res.body).toMatchObject({ status: 'UP', checks: { postgresql: { status: 'UP' } } });
    await request(dbRoute.app).get('/test/needs-db').set(bearer(await aToken())).expect(200, { ok: true });
  });

  describe('when the server refuses connections', () => {
    beforeAll(() => proxy.cut());
    afterAll(() => proxy.restore());

    it('reports DOWN with 503 and names PostgreSQL', async () => {
      const res = await healthOf(t).expect(503);
      expect(res.body).toMatchObject({ status: 'DOWN', service: 'visiobook-data-platform', checks: { postgresql: { status: 'DOWN', error: 'Unable to reach the database' } } });
      expect(res.body.checks.redis.status).toBe('UP');
    });

    it('is not ready, but alive', async () => {
      const ready = await request(t.app).get('/health/ready');
      expect(expectStandardError(ready, 503, 'SERVICE_NOT_READY').details).toEqual({ reasons: ['postgresql_down', 'migrations_unknown'] });
      await request(t.app).get('/health/live').expect(200, { status: 'UP' });
    });

    it('still serves /metrics to an admin, which needs no database', async () => {
      const res = await request(t.app).get('/metrics').set(bearer(await aToken({ role: 'admin' }))).expect(200);
      expect(res.text).toContain('db_pool_max_connections');
    });

    it('answers an admin GET /api/v1/migrations/status with 503 DATABASE_UNAVAILABLE', async () => {
      const res = await request(t.app).get('/api/v1/migrations/status').set(bearer(await aToken({ role: 'admin' })));
      expect(expectStandardError(res, 503, 'DATABASE_UNAVAILABLE').details).toMatchObject({ database: 'postgresql' });
    });

    it('answers a request that needs the database with 503 DATABASE_UNAVAILABLE', async () => {
      const res = await request(dbRoute.app).get('/test/needs-db').set(bearer(await aToken()));
      expect(expectStandardError(res, 503, 'DATABASE_UNAVAILABLE').details).toEqual({ database: 'postgresql' });
    });
  });

  it('is UP again once the server is back', async () => {
    await recovered(t, 'UP');
    await request(dbRoute.app).get('/test/needs-db').set(bearer(await aToken())).expect(200);
  }, 20_000);

  describe('when the server accepts connections but never answers', () => {
    beforeAll(() => proxy.hang());
    afterAll(() => proxy.restore());

    it('still answers /health, DOWN, once the health timeout has passed', async () => {
      const res = await healthOf(t).expect(503);
      expect(res.body.checks.postgresql).toMatchObject({ status: 'DOWN', error: 'no answer within 1000ms' });
    }, 20_000);

    it('still answers /health/ready, not ready', async () => {
      const ready = await request(t.app).get('/health/ready');
      expect(expectStandardError(ready, 503, 'SERVICE_NOT_READY').details).toEqual({ reasons: ['postgresql_down', 'migrations_unknown'] });
    }, 20_000);
  });

  it('is UP again once the hung server answers again', async () => {
    await recovered(t, 'UP');
  }, 20_000);
});

describe('Redis outage (through a TCP proxy)', () => {
  const proxy = TcpProxy.forUrl(currentRun().redisUrl);
  const captured = capturingLogger('warn');
  let t: TestApp;
  const ADMIN_LIMIT = 3;

  beforeAll(async () => {
    await proxy.start();
    t = await buildTestApp({
      env: { REDIS_URL: proxy.rewrite(currentRun().redisUrl), RATE_LIMIT_ADMIN: String(ADMIN_LIMIT) },
      overrides: { [TOKENS.Logger]: captured.logger },
    });
  });
  afterAll(async () => {
    await proxy.restore();
    await t.close();
    await proxy.stop();
  });

  it('is UP while Redis answers', async () => {
    const res = await healthOf(t).expect(200);
    expect(res.body).toMatchObject({ status: 'UP', checks: { redis: { status: 'UP', mode: 'redis' } } });
  });

  describe('when Redis is down', () => {
    beforeAll(() => proxy.cut());
    afterAll(() => proxy.restore());

    it('reports DEGRADED with 200 and names Redis', async () => {
      const res = await eventually('redis DOWN', async () => {
        const r = await healthOf(t);
        return r.body.checks?.redis?.status === 'DOWN' ? r : undefined;
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'DEGRADED', checks: { postgresql: { status: 'UP' }, redis: { status: 'DOWN', error: 'Redis is unavailable' } } });
      await request(t.app).get('/health/ready').expect(200, { status: 'UP' });
    });

    it('keeps serving: the rate limiter lets requests through rather than fail them', async () => {
      const admin = bearer(await aToken({ role: 'admin' }));
      for (let i = 0; i < ADMIN_LIMIT + 2; i++) {
        const res = await request(t.app).get('/metrics').set(admin);
        expect(res.status).toBe(200);
      }
      // As a structured line, not a stack trace on stderr.
      expect(captured.lines()).toContainEqual(
        expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/allowing request without rate-limiting/), request_id: expect.any(String) }),
      );
    });
  });

  it('is UP again once Redis is back, and limits apply again', async () => {
    await recovered(t, 'UP');
    const admin = bearer(await aToken({ role: 'admin' }));
    const statuses: number[] = [];
    // The first call after the outage may reload the limiter's scripts and pass uncounted.
    for (let i = 0; i < ADMIN_LIMIT + 3 && !statuses.includes(429); i++) statuses.push((await request(t.app).get('/metrics').set(admin)).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(ADMIN_LIMIT);
  }, 20_000);
});
