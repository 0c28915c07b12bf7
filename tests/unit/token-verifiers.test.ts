import { SignJWT, type JWTPayload } from 'jose';
import { JoseTokenVerifier, type KeySource } from '../../src/adapters/jwt/jose-token-verifier';
import { VerifiedTokenCache } from '../../src/adapters/jwt/verified-token-cache';
import { AUDIENCE, ISSUER, tokenVerifierContract, type TokenVerifierUnderTest } from '../contract/token-verifier.contract';
import { aSigningKey, startJwksServer, type SigningKey } from '../support/jwks-server';
import { TEST_JWT_SECRET } from '../support/tokens';

const sign = (claims: JWTPayload, header: { alg: string; kid?: string }, key: Parameters<SignJWT['sign']>[0]) =>
  new SignJWT(claims).setProtectedHeader({ ...header, typ: 'JWT' }).sign(key);
const secret = (text: string) => new TextEncoder().encode(text);

/** A shared secret (HS256), as the service signs its own tokens. */
function withSecret(wrap: (verifier: JoseTokenVerifier) => TokenVerifierUnderTest['verifier']) {
  return async (): Promise<TokenVerifierUnderTest> => {
    const keys: KeySource = { kind: 'secret', secret: TEST_JWT_SECRET };
    return {
      verifier: wrap(new JoseTokenVerifier({ keys, issuer: ISSUER, audience: AUDIENCE })),
      sign: (claims) => sign(claims, { alg: 'HS256' }, secret(TEST_JWT_SECRET)),
      forge: (claims) => sign(claims, { alg: 'HS256' }, secret(`${TEST_JWT_SECRET}-guessed`)),
      signWithAnotherAlgorithm: (claims) => sign(claims, { alg: 'HS512' }, secret(`${TEST_JWT_SECRET}${TEST_JWT_SECRET}`)),
      close: async () => undefined,
    };
  };
}

/** The provider's key and an impostor's of the same id, made once: RSA keys are slow to generate. */
let rsaKeys: Promise<SigningKey[]> | undefined;

/** An identity provider publishing its RS256 key on a JWKS endpoint. */
function withJwks(wrap: (verifier: JoseTokenVerifier) => TokenVerifierUnderTest['verifier']) {
  return async (): Promise<TokenVerifierUnderTest> => {
    rsaKeys ??= Promise.all([aSigningKey('RS256', 'k1'), aSigningKey('RS256', 'k1')]);
    const [trusted, impostor] = await rsaKeys;
    const jwks = await startJwksServer([trusted!]);
    return {
      verifier: wrap(new JoseTokenVerifier({ keys: { kind: 'jwks', url: jwks.url }, issuer: ISSUER, audience: AUDIENCE })),
      sign: (claims) => sign(claims, { alg: 'RS256', kid: 'k1' }, trusted!.privateKey),
      forge: (claims) => sign(claims, { alg: 'RS256', kid: 'k1' }, impostor!.privateKey),
      // Algorithm confusion: HMAC keyed with the provider's public key, which anyone can fetch.
      signWithAnotherAlgorithm: (claims) => sign(claims, { alg: 'HS256', kid: 'k1' }, secret(trusted!.publicPem)),
      close: () => jwks.close(),
    };
  };
}

const bare = (verifier: JoseTokenVerifier) => verifier;
const cached = (verifier: JoseTokenVerifier) => new VerifiedTokenCache(verifier);

tokenVerifierContract('JoseTokenVerifier with a secret', withSecret(bare));
tokenVerifierContract('JoseTokenVerifier with a JWKS endpoint', withJwks(bare));
tokenVerifierContract('VerifiedTokenCache over a secret', withSecret(cached));
tokenVerifierContract('VerifiedTokenCache over a JWKS endpoint', withJwks(cached));
