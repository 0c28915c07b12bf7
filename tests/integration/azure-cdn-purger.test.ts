import { setTimeout as sleep } from 'node:timers/promises';
import { AzureCdnPurger, type AzureCdnPurgerOptions } from '../../src/adapters/cdn/azure-cdn-purger';
import { CdnSyncFailed } from '../../src/domain/storage/errors';
import { aCdnTarget, cdnPurgerContract } from '../contract/cdn-purger.contract';
import { FakeAzureCdnApi, type FakeAzureCdnOptions } from '../support/fake-azure-cdn-api';

const BASE = 'https://vb-files.azureedge.net';
const SECRET = 'azure-client-secret~Qm8vT2pL5sW9zX1c';
const IDS = {
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  clientId: '0c2b5a7e-4d1f-4e8a-9b3c-6f7e8d9a0b1c',
  clientSecret: SECRET,
  subscriptionId: '8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  resourceGroup: 'rg-visiobook',
  profile: 'vb-cdn',
  endpoint: 'vb-files',
};

const purgerFor = (fake: FakeAzureCdnApi, overrides: Partial<AzureCdnPurgerOptions> = {}) =>
  new AzureCdnPurger({ ...IDS, managementUrl: fake.managementUrl, loginUrl: fake.loginUrl, timeoutMs: 5_000, pollIntervalMs: 5, ...overrides });

cdnPurgerContract('AzureCdnPurger', BASE, async () => {
  const fake = await FakeAzureCdnApi.start(IDS);
  return {
    purger: purgerFor(fake),
    prime: async (t, variant) => fake.prime(t.path, variant),
    wasPurged: async (t, variant) => !fake.isCached(t.path, variant),
    purgeCalls: () => fake.purgeCalls,
    refuseNext: () => fake.refuseNext(),
    secret: SECRET,
    close: () => fake.close(),
  };
});

describe('AzureCdnPurger against Resource Manager and the identity platform', () => {
  let fake: FakeAzureCdnApi;
  const start = async (options: Partial<FakeAzureCdnOptions> = {}) => {
    fake = await FakeAzureCdnApi.start({ ...IDS, ...options });
  };
  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e as CdnSyncFailed);
  const purgePath = `/subscriptions/${IDS.subscriptionId}/resourceGroups/${IDS.resourceGroup}/providers/Microsoft.Cdn/profiles/${IDS.profile}/endpoints/${IDS.endpoint}/purge`;

  afterEach(() => fake.close());

  it('gets a token by client credentials, posts the paths, and follows Azure-AsyncOperation to Succeeded', async () => {
    await start();
    const [a, b] = [aCdnTarget(BASE), aCdnTarget(BASE, 'thumbnails')];
    fake.prime(a!.path, 'sig=1');
    await purgerFor(fake).purge([a!, b!]);
    const [token, purge, ...polls] = fake.requests;
    expect(token!.method).toBe('POST');
    expect(token!.url).toBe(`/login/${IDS.tenantId}/oauth2/v2.0/token`);
    expect(token!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(new URLSearchParams(token!.body))).toEqual({
      grant_type: 'client_credentials', client_id: IDS.clientId, client_secret: SECRET, scope: 'https://management.azure.com/.default',
    });
    expect(purge!.method).toBe('POST');
    expect(purge!.url).toBe(`${purgePath}?api-version=2024-02-01`);
    expect(purge!.headers.authorization).toMatch(/^Bearer \S+$/);
    expect(JSON.parse(purge!.body)).toEqual({ contentPaths: [a!.path, b!.path] });
    expect(polls.map((p) => [p.method, p.url.split('?')[0]!.split('/').slice(-2)[0]])).toEqual([['GET', 'operationStatuses'], ['GET', 'operationStatuses']]);
    expect(polls.every((p) => p.headers.authorization === purge!.headers.authorization)).toBe(true);
    expect(fake.isCached(a!.path, 'sig=1')).toBe(false);
  });

  it('sends at most 50 content paths per call, and each path once', async () => {
    await start();
    const targets = Array.from({ length: 120 }, () => aCdnTarget(BASE));
    await expect(purgerFor(fake).purge([...targets, targets[7]!])).resolves.toBe(121);
    expect(fake.purgeBodies().map((b) => b.contentPaths.length)).toEqual([50, 50, 20]);
  });

  it('asks for one token for several purges, and a new one shortly before it expires', async () => {
    await start({ tokenLifetimeSeconds: 2 });
    const purger = purgerFor(fake);
    await Promise.all([purger.purge([aCdnTarget(BASE)]), purger.purge([aCdnTarget(BASE)])]);
    await purger.purge([aCdnTarget(BASE)]);
    expect(fake.tokenRequests).toBe(1);
    await sleep(1_100); // a 2 s token is kept for half its life
    await purger.purge([aCdnTarget(BASE)]);
    expect(fake.tokenRequests).toBe(2);
  });

  it('takes a new token once when Resource Manager no longer accepts the cached one', async () => {
    await start();
    const purger = purgerFor(fake);
    await purger.purge([aCdnTarget(BASE)]);
    fake.revokeTokens();
    await expect(purger.purge([aCdnTarget(BASE)])).resolves.toBe(1);
    expect(fake.tokenRequests).toBe(2);
  });

  it('reports a refused client secret with the AAD error code, never the secret', async () => {
    await start();
    const error = await failure(purgerFor(fake, { clientSecret: 'not-the-secret-1234' }).purge([aCdnTarget(BASE)]));
    expect(error).toBeInstanceOf(CdnSyncFailed);
    expect(error!.message).toBe('azure_cdn purge failed: no Azure AD token (HTTP 401: invalid_client AADSTS7000215)');
    expect(JSON.stringify(error!.details)).not.toContain('not-the-secret-1234');
  });

  it('reports a refused purge call and a Failed operation, naming status and ARM error code', async () => {
    await start();
    fake.refuseNext('http-error');
    expect((await failure(purgerFor(fake).purge([aCdnTarget(BASE)])))?.message).toMatch(/^azure_cdn purge failed: refused \(HTTP 500: InternalServerError/);
    fake.refuseNext('operation-failed');
    const error = await failure(purgerFor(fake).purge([aCdnTarget(BASE)]));
    expect(error?.message).toMatch(/operation Failed \(HTTP 200: PurgeFailed/);
    expect(error?.details).toMatchObject({ provider: 'azure_cdn', error_code: 'PurgeFailed' });
  });

  it('follows a Location header when there is no Azure-AsyncOperation', async () => {
    await start({ monitor: 'location' });
    const t = aCdnTarget(BASE);
    fake.prime(t.path);
    await purgerFor(fake).purge([t]);
    expect(fake.isCached(t.path)).toBe(false);
    fake.refuseNext('operation-failed');
    expect((await failure(purgerFor(fake).purge([t])))?.message).toMatch(/operation failed \(HTTP 500: PurgeFailed/);
  });

  it('gives up on an operation that stays in progress', async () => {
    await start({ pollsUntilDone: 1_000 });
    const error = await failure(purgerFor(fake, { pollTimeoutMs: 100 }).purge([aCdnTarget(BASE)]));
    expect(error?.message).toBe('azure_cdn purge failed: operation still in progress at the deadline');
  });

  it('gives up on a purge call that gets no answer in time', async () => {
    await start();
    fake.hangNext();
    const error = await failure(purgerFor(fake, { timeoutMs: 300 }).purge([aCdnTarget(BASE)]));
    expect(error).toBeInstanceOf(CdnSyncFailed);
    expect(error!.message).toMatch(/no answer within 300 ms/);
  });
});

describe('FakeAzureCdnApi refuses what the documented APIs refuse', () => {
  let fake: FakeAzureCdnApi;
  let token: string;
  beforeAll(async () => {
    fake = await FakeAzureCdnApi.start(IDS);
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: IDS.clientId, client_secret: SECRET, scope: 'https://management.azure.com/.default' });
    const answer = await fetch(`${fake.loginUrl}/${IDS.tenantId}/oauth2/v2.0/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form });
    token = ((await answer.json()) as { access_token: string }).access_token;
  });
  afterAll(() => fake.close());

  const purge = async (query: string, body: unknown, headers: Record<string, string> = {}) => {
    const answer = await fetch(`${fake.managementUrl}${`/subscriptions/${IDS.subscriptionId}/resourceGroups/${IDS.resourceGroup}/providers/Microsoft.Cdn/profiles/${IDS.profile}/endpoints/${IDS.endpoint}/purge`}${query}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: answer.status, code: answer.status === 202 ? null : ((await answer.json()) as { error: { code: string } }).error.code };
  };

  it.each([
    ['no api-version', '', { contentPaths: ['/a'] }, {}, 400, 'MissingApiVersionParameter'],
    ['an unknown api-version', '?api-version=2015-01-01', { contentPaths: ['/a'] }, {}, 400, 'InvalidApiVersionParameter'],
    ['no token', '?api-version=2024-02-01', { contentPaths: ['/a'] }, { Authorization: '' }, 401, 'AuthenticationFailed'],
    ['a token not issued', '?api-version=2024-02-01', { contentPaths: ['/a'] }, { Authorization: 'Bearer forged' }, 401, 'InvalidAuthenticationToken'],
    ['a body not declared as JSON', '?api-version=2024-02-01', { contentPaths: ['/a'] }, { 'Content-Type': 'text/plain' }, 415, 'UnsupportedMediaType'],
    ['absolute URLs', '?api-version=2024-02-01', { contentPaths: [`${BASE}/a`] }, {}, 400, 'BadRequest'],
    ['51 paths', '?api-version=2024-02-01', { contentPaths: Array.from({ length: 51 }, (_, i) => `/f/${i}`) }, {}, 400, 'BadRequest'],
  ])('%s', async (_, query, body, headers, status, code) => {
    expect(await purge(query, body, headers)).toEqual({ status, code });
  });

  it('accepts the documented shape', async () => {
    expect(await purge('?api-version=2024-02-01', { contentPaths: ['/cdn/files/x', '/cdn/thumbnails/*'] })).toEqual({ status: 202, code: null });
  });
});
