import request from 'supertest';
import type { RouteBuilder } from '../../src/adapters/http/route-builder';
import { expectStandardError } from '../support/error-body';
import { buildRouteTestApp } from '../support/route-test-app';
import type { TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

const LIMIT = 300;
const BATCH = 6;
/** Admins: 100 a window, reserved 2 at a time (1/50 of the limit). */
const ADMIN_LIMIT = 100;
const INSTANCES = 3;
const ENV = { RATE_LIMIT_USER: String(LIMIT), RATE_LIMIT_BATCH: String(BATCH), RATE_LIMIT_ADMIN: String(ADMIN_LIMIT), RATE_LIMIT_WINDOW_MS: '60000' };

function userRoute(routes: RouteBuilder): void {
  routes.define({
    method: 'get',
    path: '/test/limited',
    tag: 'Test',
    auth: 'user',
    summary: 'any authenticated caller',
    responses: { 200: { description: 'ok' } },
    handler: async () => ({ status: 200, body: { ok: true } }),
  });
}

/**
 * The limiter's first tier reserves requests from Redis in batches (RATE_LIMIT_BATCH): three
 * instances hammered together by one caller still admit no more than the limit, and at most
 * (instances - 1) x batch fewer.
 */
describe('rate limiting with batched reservations', () => {
  let apps: TestApp[];
  beforeAll(async () => {
    apps = await Promise.all(Array.from({ length: INSTANCES }, () => buildRouteTestApp(userRoute, { env: ENV })));
  });
  afterAll(() => Promise.all(apps.map((a) => a.close())));

  it('holds one limit across instances within the stated tolerance', async () => {
    const token = bearer(await aToken({ role: 'user' }));
    const counts = new Map<number, number>();
    // 450 requests against a limit of 300, 5 in flight per instance.
    await Promise.all(
      apps.flatMap((t) =>
        Array.from({ length: 5 }, async () => {
          for (let i = 0; i < 30; i++) {
            const { status } = await request(t.app).get('/test/limited').set(token);
            counts.set(status, (counts.get(status) ?? 0) + 1);
          }
        }),
      ),
    );
    expect([...counts.keys()].sort()).toEqual([200, 429]);
    expect(counts.get(200)).toBeLessThanOrEqual(LIMIT);
    expect(counts.get(200)).toBeGreaterThanOrEqual(LIMIT - (INSTANCES - 1) * BATCH);
  }, 30_000);

  it('still answers 429 with the standard body and headers once the window is spent', async () => {
    const token = bearer(await aToken({ role: 'admin' }));
    let res = await request(apps[0]!.app).get('/test/limited').set(token).expect(200);
    expect(res.headers['ratelimit-policy']).toBe(`${ADMIN_LIMIT};w=60`);
    expect(res.headers.ratelimit).toMatch(new RegExp(`limit=${ADMIN_LIMIT}, remaining=${ADMIN_LIMIT - 1}, reset=\\d+`));
    for (let i = 1; i < ADMIN_LIMIT; i++) await request(apps[0]!.app).get('/test/limited').set(token).expect(200);
    res = await request(apps[0]!.app).get('/test/limited').set(token);
    expect(expectStandardError(res, 429, 'RATE_LIMIT_EXCEEDED').details).toMatchObject({ limit: ADMIN_LIMIT, window_seconds: 60 });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(res.headers.ratelimit).toMatch(new RegExp(`limit=${ADMIN_LIMIT}, remaining=0, reset=\\d+`));
  }, 30_000);
});
