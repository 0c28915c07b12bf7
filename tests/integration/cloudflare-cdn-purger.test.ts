import { CloudflareCdnPurger, type CloudflareCdnPurgerOptions } from '../../src/adapters/cdn/cloudflare-cdn-purger';
import { CdnSyncFailed } from '../../src/domain/storage/errors';
import { aCdnTarget, cdnPurgerContract } from '../contract/cdn-purger.contract';
import { FakeCloudflareApi } from '../support/fake-cloudflare-api';
import { freePort } from '../support/free-port';

const HOST = 'cdn.example.test';
const BASE = `https://${HOST}`;
const ZONE = '023e105f4ecef8ad9ca31a8372d0c353';
const TOKEN = 'cf-token-Y5ZpQ3sVb7nE1kq9XwR2';

cdnPurgerContract('CloudflareCdnPurger', BASE, async () => {
  const fake = await FakeCloudflareApi.start({ zoneId: ZONE, apiToken: TOKEN, host: HOST });
  return {
    purger: new CloudflareCdnPurger({ zoneId: ZONE, apiToken: TOKEN, apiUrl: fake.apiUrl, timeoutMs: 5_000 }),
    prime: async (t, variant) => fake.prime(t.path, variant),
    wasPurged: async (t, variant) => !fake.isCached(t.path, variant),
    purgeCalls: () => fake.purgeCalls,
    refuseNext: () => fake.refuseNext(),
    secret: TOKEN,
    close: () => fake.close(),
  };
});

describe('CloudflareCdnPurger against the Purge Cached Content API', () => {
  let fake: FakeCloudflareApi;
  const purger = (overrides: Partial<CloudflareCdnPurgerOptions> = {}) =>
    new CloudflareCdnPurger({ zoneId: ZONE, apiToken: TOKEN, apiUrl: fake.apiUrl, timeoutMs: 5_000, ...overrides });
  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e as CdnSyncFailed);

  beforeEach(async () => {
    fake = await FakeCloudflareApi.start({ zoneId: ZONE, apiToken: TOKEN, host: HOST });
  });
  afterEach(() => fake.close());

  it('sends one POST with a Bearer token and the paths as scheme-less prefixes', async () => {
    const [a, b] = [aCdnTarget(BASE), aCdnTarget(BASE, 'thumbnails')];
    await purger().purge([a!, b!]);
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe(`/client/v4/zones/${ZONE}/purge_cache`);
    expect(request!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request!.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(request!.body)).toEqual({ prefixes: [`${HOST}${a!.path}`, `${HOST}${b!.path}`] });
  });

  it('sends at most 30 prefixes per call, and each path once', async () => {
    const targets = Array.from({ length: 61 }, () => aCdnTarget(BASE));
    await expect(purger().purge([...targets, targets[0]!])).resolves.toBe(62);
    expect(fake.purgeBodies().map((b) => (b.prefixes as string[]).length)).toEqual([30, 30, 1]);
  });

  it('waits out a 429 for its Retry-After once, then succeeds', async () => {
    const t = aCdnTarget(BASE);
    fake.prime(t.path);
    fake.rateLimitNext(1);
    const started = Date.now();
    await expect(purger().purge([t])).resolves.toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.purgeCalls).toBe(2);
    expect(fake.isCached(t.path)).toBe(false);
  });

  it('fails on a second 429 in a row, naming the status and the Cloudflare error code', async () => {
    fake.rateLimitNext(0);
    fake.rateLimitNext(0);
    const error = await failure(purger().purge([aCdnTarget(BASE)]));
    expect(error).toBeInstanceOf(CdnSyncFailed);
    expect(error!.message).toMatch(/cloudflare.*HTTP 429.*971/);
    expect(fake.purgeCalls).toBe(2);
  });

  it('does not sit out a Retry-After longer than allowed', async () => {
    fake.rateLimitNext(120);
    const error = await failure(purger({ maxRetryAfterMs: 1_000 }).purge([aCdnTarget(BASE)]));
    expect(error?.message).toMatch(/rate limited \(HTTP 429.*retry after 120s/);
    expect(fake.purgeCalls).toBe(1);
  });

  it('reports an authentication refusal with status and codes, never the token', async () => {
    const error = await failure(purger({ apiToken: 'a-revoked-token-0000' }).purge([aCdnTarget(BASE)]));
    expect(error).toBeInstanceOf(CdnSyncFailed);
    expect(error!.message).toMatch(/cloudflare purge failed: refused \(HTTP 403: 10000 Authentication error\)/);
    expect(JSON.stringify([error!.message, error!.details])).not.toContain('a-revoked-token-0000');
    expect(error!.details).toMatchObject({ provider: 'cloudflare', http_status: 403, errors: [{ code: 10000 }] });
  });

  it('treats success:false in a 200 as a refusal, and a 5xx page as one too', async () => {
    fake.refuseNext('success-false');
    expect((await failure(purger().purge([aCdnTarget(BASE)])))?.message).toMatch(/HTTP 200: 1134/);
    fake.refuseNext('server-error');
    expect((await failure(purger().purge([aCdnTarget(BASE)])))?.message).toMatch(/HTTP 502\)/);
  });

  it('gives up on an API that does not answer in time', async () => {
    fake.hangNext();
    const started = Date.now();
    const error = await failure(purger({ timeoutMs: 300 }).purge([aCdnTarget(BASE)]));
    expect(error).toBeInstanceOf(CdnSyncFailed);
    expect(error!.message).toMatch(/no answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('reports an unreachable API as CDN_SYNC_FAILED', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/client/v4`;
    const error = await failure(purger({ apiUrl: closed }).purge([aCdnTarget(BASE)]));
    expect(error).toBeInstanceOf(CdnSyncFailed);
    expect(error!.message).toMatch(/unreachable \(ECONNREFUSED\)/);
  });
});

describe('FakeCloudflareApi refuses what the documented API refuses', () => {
  let fake: FakeCloudflareApi;
  beforeAll(async () => {
    fake = await FakeCloudflareApi.start({ zoneId: ZONE, apiToken: TOKEN, host: HOST });
  });
  afterAll(() => fake.close());

  const post = async (body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }) => {
    const response = await fetch(`${fake.apiUrl}/zones/${ZONE}/purge_cache`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { success: boolean } };
  };

  it.each([
    ['a scheme in a prefix', { prefixes: [`https://${HOST}/cdn/files/a`] }],
    ['a query string in a prefix', { prefixes: [`${HOST}/cdn/files/a?expires=1`] }],
    ['a host outside the zone', { prefixes: ['elsewhere.test/cdn/files/a'] }],
    ['31 prefixes', { prefixes: Array.from({ length: 31 }, (_, i) => `${HOST}/cdn/files/${i}`) }],
    ['two purge kinds at once', { prefixes: [`${HOST}/a`], files: [`${BASE}/a`] }],
  ])('%s', async (_, body) => {
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expect(answer.body.success).toBe(false);
  });

  it('a body that is not declared as JSON', async () => {
    expect((await post({ prefixes: [`${HOST}/a`] }, { 'Content-Type': 'text/plain' })).status).toBe(400);
  });

  it('purges a single-file URL exactly, leaving its query-string variants cached (why the adapter purges by prefix)', async () => {
    fake.prime('/cdn/files/x');
    fake.prime('/cdn/files/x', 'signature=abc');
    expect((await post({ files: [`${BASE}/cdn/files/x`] })).status).toBe(200);
    expect(fake.isCached('/cdn/files/x')).toBe(false);
    expect(fake.isCached('/cdn/files/x', 'signature=abc')).toBe(true);
  });
});
