import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { JoseTokenVerifier } from '../../src/adapters/jwt/jose-token-verifier';
import { DomainError } from '../../src/domain/shared/domain-error';
import { IdentityProviderUnavailable, Unauthenticated } from '../../src/domain/shared/errors';
import { freePort } from '../support/free-port';
import { aSigningKey, type SigningKey } from '../support/jwks-server';
import { aToken, anAsymmetricToken, TEST_JWT_SECRET } from '../support/tokens';

async function rejection(promise: Promise<unknown>, type: new (...args: never[]) => DomainError = Unauthenticated): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as DomainError;
}

describe('JoseTokenVerifier', () => {
  it('turns a valid token into its caller', async () => {
    const sub = '7b0c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3';
    const verifier = new JoseTokenVerifier({ keys: { kind: 'secret', secret: TEST_JWT_SECRET } });
    const caller = await verifier.verify(await aToken({ sub, role: 'premium', email: 'p@example.com', extra: { permissions: ['data:read:projects'], jti: 'tok-1' } }));
    expect(caller).toEqual({ userId: sub, email: 'p@example.com', role: 'premium', subscriptionType: 'premium', permissions: ['data:read:projects'], tokenId: 'tok-1' });
  });

  describe('iat', () => {
    const verifier = new JoseTokenVerifier({ keys: { kind: 'secret', secret: TEST_JWT_SECRET } });
    const now = Math.floor(Date.now() / 1000);

    it('refuses a token issued in the future (beyond the clock tolerance)', async () => {
      const error = await rejection(verifier.verify(await aToken({ extra: { iat: now + 3_600 } })));
      expect(error.details).toEqual({ reason: 'issued_in_future' });
    });

    it('accepts one issued now or a few seconds ahead (clock skew)', async () => {
      await expect(verifier.verify(await aToken({ extra: { iat: now + 2 } }))).resolves.toMatchObject({ role: 'user' });
    });
  });

  describe('with JWT_ISSUER and JWT_AUDIENCE', () => {
    const verifier = new JoseTokenVerifier({ keys: { kind: 'secret', secret: TEST_JWT_SECRET }, issuer: 'https://auth.visiobook', audience: 'data-platform' });

    it('accepts a token from that issuer for that audience', async () => {
      await expect(verifier.verify(await aToken({ extra: { iss: 'https://auth.visiobook', aud: 'data-platform' } }))).resolves.toMatchObject({ role: 'user' });
    });

    it.each([
      ['another issuer', { iss: 'https://evil.example', aud: 'data-platform' }, 'iss'],
      ['another audience', { iss: 'https://auth.visiobook', aud: 'other-service' }, 'aud'],
      ['no issuer', { aud: 'data-platform' }, 'iss'],
    ])('refuses a token from %s', async (_case, extra, claim) => {
      const error = await rejection(verifier.verify(await aToken({ extra })));
      expect(error.details).toEqual({ reason: 'invalid_claims' });
      expect(error.message).toBe(`Token claim "${claim}" is invalid`);
    });
  });

  describe('when the key set cannot be fetched', () => {
    let key: SigningKey;
    let broken: http.Server;
    let brokenUrl: string;
    beforeAll(async () => {
      key = await aSigningKey('RS256', 'k1');
      broken = http.createServer((req, res) => {
        if (req.url === '/500') return void res.writeHead(500).end('oops');
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"keys": not json');
      });
      await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
      brokenUrl = `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => broken.close(() => resolve())));

    it.each([
      ['nothing listens', async () => `http://127.0.0.1:${await freePort()}/jwks.json`],
      ['the endpoint answers 500', async () => `${brokenUrl}/500`],
      ['the endpoint answers garbage', async () => `${brokenUrl}/garbage`],
    ])('answers provider-unavailable (503, retryable) when %s, rather than call the token malformed', async (_case, url) => {
      const verifier = new JoseTokenVerifier({ keys: { kind: 'jwks', url: await url() } });
      const token = await anAsymmetricToken(key.privateKey, { alg: 'RS256', kid: key.kid }, { role: 'admin' });
      const error = await rejection(verifier.verify(token), IdentityProviderUnavailable);
      expect({ code: error.code, details: error.details }).toEqual({ code: 'AUTH_PROVIDER_UNAVAILABLE', details: { reason: 'keys_unavailable' } });
    });
  });
});
