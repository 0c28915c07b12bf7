import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { RouteBuilder } from '../../src/adapters/http/route-builder';
import { expectStandardError } from '../support/error-body';
import { buildRouteTestApp } from '../support/route-test-app';
import type { TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

const LIMITS = { RATE_LIMIT_USER: '3', RATE_LIMIT_PREMIUM: '4', RATE_LIMIT_ADMIN: '6', RATE_LIMIT_WINDOW_MS: '60000' };

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

/** Statuses of `count` requests by one caller, sent one after the other, alternating across `apps`. */
async function statuses(apps: TestApp[], token: string, count: number): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push((await request(apps[i % apps.length]!.app).get('/test/limited').set(bearer(token))).status);
  return seen;
}

/** Per-caller limits by role, counted in Redis (RATE_LIMIT_USER=3, RATE_LIMIT_ADMIN=6 per minute). */
describe('rate limiting', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    // Two instances of the service, each with its own Redis connection, as behind a load balancer.
    [a, b] = await Promise.all([buildRouteTestApp(userRoute, { env: LIMITS }), buildRouteTestApp(userRoute, { env: LIMITS })]);
  });
  afterAll(() => Promise.all([a.close(), b.close()]));

  it('answers the 4th request of a user within the window with 429 RATE_LIMIT_EXCEEDED and Retry-After', async () => {
    const token = await aToken({ role: 'user' });
    expect(await statuses([a], token, 3)).toEqual([200, 200, 200]);
    const res = await request(a.app).get('/test/limited').set(bearer(token));
    const error = expectStandardError(res, 429, 'RATE_LIMIT_EXCEEDED');
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(error.details).toEqual({ retry_after: retryAfter, limit: 3, window_seconds: 60 });
  });

  it('announces the policy on every limited response', async () => {
    const res = await request(a.app).get('/test/limited').set(bearer(await aToken({ role: 'user' }))).expect(200);
    expect(res.headers['ratelimit-policy']).toBe('3;w=60');
    expect(res.headers.ratelimit).toMatch(/limit=3, remaining=2, reset=\d+/);
  });

  it('gives premium and admin callers more', async () => {
    expect(await statuses([a], await aToken({ role: 'premium' }), 5)).toEqual([200, 200, 200, 200, 429]);
    expect(await statuses([a], await aToken({ role: 'admin' }), 7)).toEqual([200, 200, 200, 200, 200, 200, 429]);
  });

  it('enforces one limit across instances sharing Redis', async () => {
    expect(await statuses([a, b], await aToken({ role: 'user' }), 5)).toEqual([200, 200, 200, 429, 429]);
  });

  it('limits each caller separately', async () => {
    const limited = await aToken({ role: 'user', sub: randomUUID() });
    expect(await statuses([a], limited, 4)).toEqual([200, 200, 200, 429]);
    expect(await statuses([b], await aToken({ role: 'user', sub: randomUUID() }), 1)).toEqual([200]);
  });

  it('counts the caller, not the token: a fresh token for the same user is still limited', async () => {
    const sub = randomUUID();
    expect(await statuses([a], await aToken({ role: 'user', sub }), 3)).toEqual([200, 200, 200]);
    expect(await statuses([b], await aToken({ role: 'user', sub }), 1)).toEqual([429]);
  });
});
