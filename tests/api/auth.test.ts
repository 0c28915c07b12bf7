import request from 'supertest';
import { SignJWT } from 'jose';
import { expectStandardError } from '../support/error-body';
import { buildRouteTestApp } from '../support/route-test-app';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, anUnsignedToken, bearer, standardClaims, TEST_JWT_SECRET } from '../support/tokens';

/** Every way a bearer token can fail on an admin route (GET /metrics), with a shared secret (HS256). */
describe('bearer authentication with JWT_SECRET', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ migrate: false });
  });
  afterAll(() => t.close());

  const expect401 = async (headers: Record<string, string>, reason: string) => {
    const res = await request(t.app).get('/metrics').set(headers);
    const error = expectStandardError(res, 401, 'UNAUTHORIZED');
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(error.details).toMatchObject({ reason });
    return error;
  };
  const signed = (claims: Record<string, unknown>, secret = TEST_JWT_SECRET) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));

  it('refuses a request without an Authorization header', async () => {
    await expect401({}, 'missing_token');
  });

  it.each([['Basic dXNlcjpwYXNz'], ['Bearer'], ['Bearer a b'], ['Token abc.def.ghi']])('refuses the header %j, which is not "Bearer <token>"', async (header) => {
    await expect401({ Authorization: header }, 'malformed_header');
  });

  it('refuses a token that is not a JWT', async () => {
    await expect401(bearer('not-a-jwt'), 'malformed');
  });

  it('refuses an expired token', async () => {
    await expect401(bearer(await aToken({ role: 'admin', ttlSeconds: -60 })), 'expired');
  });

  it('refuses a token signed with another secret (forged)', async () => {
    await expect401(bearer(await aToken({ role: 'admin', secret: 'another-secret-that-is-long-enough-0123456789' })), 'invalid_signature');
  });

  it('refuses an unsigned token (alg: none)', async () => {
    await expect401(bearer(anUnsignedToken({ alg: 'none', typ: 'JWT' }, standardClaims({ role: 'admin' }))), 'algorithm_not_allowed');
  });

  it('refuses a correctly signed token whose payload was then altered', async () => {
    const [header, , signature] = (await aToken({ role: 'user' })).split('.');
    const payload = Buffer.from(JSON.stringify(standardClaims({ role: 'admin' }))).toString('base64url');
    await expect401(bearer(`${header}.${payload}.${signature}`), 'invalid_signature');
  });

  it.each([
    ['without a role', { role: undefined }, 'role'],
    ['with an unknown role', { role: 'superuser' }, 'role'],
    ['whose sub is not a UUID', { sub: 'user-42' }, 'sub'],
    ['without exp', { exp: undefined }, 'exp'],
  ])('refuses a validly signed token %s', async (_case, extra, claim) => {
    const error = await expect401(bearer(await signed(standardClaims({ role: 'admin', extra }))), 'invalid_claims');
    expect(error.details.claims).toEqual([expect.stringMatching(new RegExp(`^${claim}: `))]);
  });

  it.each(['user', 'premium'] as const)('answers 403 to a %s token on an admin route', async (role) => {
    const res = await request(t.app).get('/metrics').set(bearer(await aToken({ role })));
    const error = expectStandardError(res, 403, 'FORBIDDEN');
    expect(error.details).toEqual({ required_role: 'admin', role });
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  it('lets a valid admin token through', async () => {
    const res = await request(t.app).get('/metrics').set(bearer(await aToken({ role: 'admin' }))).expect(200);
    expect(res.text).toContain('http_request_duration_seconds');
  });

  it('accepts the auth scheme in any case, as RFC 7235 requires', async () => {
    await request(t.app).get('/metrics').set({ Authorization: `bearer ${await aToken({ role: 'admin' })}` }).expect(200);
  });
});

describe('role hierarchy on a premium route', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildRouteTestApp((routes) =>
      routes.define({
        method: 'get',
        path: '/test/premium',
        tag: 'Test',
        auth: 'premium',
        summary: 'premium and above',
        responses: { 200: { description: 'ok' } },
        handler: async (_input, { caller }) => ({ status: 200, body: { user_id: caller.userId, role: caller.role } }),
      }),
    );
  });
  afterAll(() => t.close());

  it('refuses a user', async () => {
    const res = await request(t.app).get('/test/premium').set(bearer(await aToken({ role: 'user' })));
    expect(expectStandardError(res, 403, 'FORBIDDEN').details).toEqual({ required_role: 'premium', role: 'user' });
  });

  it.each(['premium', 'admin'] as const)('serves %s, with the caller taken from the token', async (role) => {
    const sub = '6f1d2a4e-8b3c-4d5e-9f60-718293a4b5c6';
    const res = await request(t.app).get('/test/premium').set(bearer(await aToken({ role, sub }))).expect(200);
    expect(res.body).toEqual({ user_id: sub, role });
  });
});
