import { InternalRequestVerifier, REPLAY_WINDOW_MS, signInternalRequest, type SignedRequest } from '../../src/adapters/http/internal/internal-signature';

const SECRET = 's'.repeat(48);
const request: SignedRequest = { method: 'POST', path: '/api/v1/data/query', body: Buffer.from('{"connection_id":"x"}'), authorization: 'Bearer abc' };

describe('signed internal requests', () => {
  let now = 1_700_000_000_000;
  const verifier = () => new InternalRequestVerifier(SECRET, 'holder', () => now);
  const signed = (overrides: Partial<SignedRequest> = {}, at = now, secret = SECRET, target = 'holder') => signInternalRequest(secret, { ...request, ...overrides }, 'front', target, at);

  it('accepts a request signed for this instance, once', () => {
    const v = verifier();
    const headers = signed();
    expect(() => v.verify(request, headers)).not.toThrow();
    expect(() => v.verify(request, headers)).toThrow(expect.objectContaining({ code: 'INTERNAL_REQUEST_REPLAYED' }));
  });

  it.each([
    ['another secret', () => signed({}, now, 'x'.repeat(48))],
    ['another target instance', () => signed({}, now, SECRET, 'elsewhere')],
    ['another body', () => signed({ body: Buffer.from('{}') })],
    ['another caller', () => signed({ authorization: 'Bearer other' })],
    ['another path', () => signed({ path: '/api/v1/data/transaction' })],
    ['no signature', () => ({})],
  ])('refuses %s with INTERNAL_SIGNATURE_INVALID', (_label, headers) => {
    expect(() => verifier().verify(request, headers())).toThrow(expect.objectContaining({ code: 'INTERNAL_SIGNATURE_INVALID' }));
  });

  it('refuses a timestamp outside the replay window either way, whatever the signature', () => {
    expect(() => verifier().verify(request, signed({}, now - REPLAY_WINDOW_MS - 1))).toThrow(expect.objectContaining({ code: 'INTERNAL_REQUEST_EXPIRED' }));
    expect(() => verifier().verify(request, signed({}, now + REPLAY_WINDOW_MS + 1))).toThrow(expect.objectContaining({ code: 'INTERNAL_REQUEST_EXPIRED' }));
    expect(() => verifier().verify(request, signed({}, now - REPLAY_WINDOW_MS + 1_000))).not.toThrow();
  });

  it('forgets nonces once they can no longer pass the window check', () => {
    const v = verifier();
    for (let i = 0; i < 5; i += 1) v.verify(request, signed());
    now += 3 * REPLAY_WINDOW_MS;
    expect(() => v.verify(request, signed())).not.toThrow();
    expect((v as unknown as { seen: Map<string, number> }).seen.size).toBe(1);
  });
});
