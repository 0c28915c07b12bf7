import request from 'supertest';
import { SignJWT } from 'jose';
import { expectStandardError } from '../support/error-body';
import { aSigningKey, startJwksServer, type SigningKey } from '../support/jwks-server';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, anAsymmetricToken, anUnsignedToken, bearer, standardClaims } from '../support/tokens';

/** Tokens from an external identity provider that publishes its keys (JWKS_URL): RS256 and ES256 only. */
describe('bearer authentication with JWKS_URL', () => {
  let t: TestApp;
  let jwks: { url: string; close(): Promise<void> };
  let rsa: SigningKey;
  let ec: SigningKey;
  let unpublished: SigningKey;

  beforeAll(async () => {
    [rsa, ec, unpublished] = await Promise.all([aSigningKey('RS256', 'rsa-1'), aSigningKey('ES256', 'ec-1'), aSigningKey('RS256', 'rsa-unpublished')]);
    jwks = await startJwksServer([rsa, ec]);
    t = await buildTestApp({ migrate: false, env: { JWKS_URL: jwks.url, JWT_SECRET: undefined } });
  });
  afterAll(async () => {
    await t.close();
    await jwks.close();
  });

  const metricsWith = (token: string) => request(t.app).get('/metrics').set(bearer(token));
  const expect401 = async (token: string, reason: string) => {
    const res = await metricsWith(token);
    expect(expectStandardError(res, 401, 'UNAUTHORIZED').details).toMatchObject({ reason });
    expect(res.headers['www-authenticate']).toBe('Bearer');
  };

  it.each([
    ['RS256', () => rsa],
    ['ES256', () => ec],
  ])('accepts an admin token signed with the published %s key', async (_alg, key) => {
    const k = key();
    const res = await metricsWith(await anAsymmetricToken(k.privateKey, { alg: k.alg, kid: k.kid }, { role: 'admin' })).expect(200);
    expect(res.text).toContain('db_pool_max_connections');
  });

  it('still applies roles: a user token signed with a published key gets 403', async () => {
    const res = await metricsWith(await anAsymmetricToken(rsa.privateKey, { alg: 'RS256', kid: rsa.kid }, { role: 'user' }));
    expectStandardError(res, 403, 'FORBIDDEN');
  });

  it('refuses a token signed with a key the provider does not publish', async () => {
    await expect401(await anAsymmetricToken(unpublished.privateKey, { alg: 'RS256', kid: unpublished.kid }, { role: 'admin' }), 'unknown_key');
  });

  it('refuses a token that names a published kid but is signed with another key', async () => {
    await expect401(await anAsymmetricToken(unpublished.privateKey, { alg: 'RS256', kid: rsa.kid }, { role: 'admin' }), 'invalid_signature');
  });

  it('refuses an HS256 token keyed with the public key (algorithm confusion)', async () => {
    const forged = await new SignJWT(standardClaims({ role: 'admin' }))
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: rsa.kid })
      .sign(new TextEncoder().encode(rsa.publicPem));
    await expect401(forged, 'algorithm_not_allowed');
  });

  it('refuses an HS256 token signed with a shared secret: no secret is trusted once JWKS is configured', async () => {
    await expect401(await aToken({ role: 'admin' }), 'algorithm_not_allowed');
  });

  it('refuses an unsigned token (alg: none)', async () => {
    await expect401(anUnsignedToken({ alg: 'none', kid: rsa.kid }, standardClaims({ role: 'admin' })), 'algorithm_not_allowed');
  });

  it('refuses an expired token signed with a published key', async () => {
    await expect401(await anAsymmetricToken(ec.privateKey, { alg: 'ES256', kid: ec.kid }, { role: 'admin', ttlSeconds: -60 }), 'expired');
  });
});
