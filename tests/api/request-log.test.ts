import request from 'supertest';
import { TOKENS } from '../../src/infrastructure/tokens';
import { capturingLogger } from '../support/capturing-logger';
import { eventually } from '../support/eventually';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

/** One structured line per request, through the service's real logger. */
describe('request log', () => {
  const captured = capturingLogger();
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ migrate: false, overrides: { [TOKENS.Logger]: captured.logger } });
  });
  afterAll(() => t.close());

  const lineFor = (requestId: string) =>
    eventually(`the log line of ${requestId}`, () => captured.lines().find((l) => l.request_id === requestId && l.method !== undefined));

  it('logs method, route template, status, latency, request id and caller of an authenticated request', async () => {
    const sub = '0d6f8a3c-1b2e-4c5d-8e9f-a0b1c2d3e4f5';
    const token = await aToken({ role: 'admin', sub });
    await request(t.app).get('/metrics').set(bearer(token)).set('X-Request-ID', 'log-1').set('X-Client-Version', 'ios/2.3.1').expect(200);
    const line = await lineFor('log-1');
    expect(line).toMatchObject({
      level: 'info',
      service: 'visiobook-data-platform',
      request_id: 'log-1',
      method: 'GET',
      route: '/metrics',
      path: '/metrics',
      status: 200,
      latency_ms: expect.any(Number),
      caller: sub,
      client_version: 'ios/2.3.1',
      aborted: false,
      msg: 'request completed',
    });
    expect(line.latency_ms).toBeGreaterThanOrEqual(0);
    expect(captured.raw.join('')).not.toContain(token.split('.')[1]);
  });

  it('logs an anonymous request with a null caller and its generated request id', async () => {
    const res = await request(t.app).get('/health/live').expect(200);
    expect(await lineFor(String(res.headers['x-request-id']))).toMatchObject({ method: 'GET', route: '/health/live', status: 200, caller: null });
  });

  it('logs a refused request with its status', async () => {
    await request(t.app).get('/metrics').set('X-Request-ID', 'log-401').expect(401);
    expect(await lineFor('log-401')).toMatchObject({ route: '/metrics', status: 401, caller: null, msg: 'request completed' });
  });

  it('logs an unknown route as unmatched, with its path', async () => {
    await request(t.app).get('/no/such/route').set('X-Request-ID', 'log-404').expect(404);
    expect(await lineFor('log-404')).toMatchObject({ route: 'unmatched', path: '/no/such/route', status: 404 });
  });
});
