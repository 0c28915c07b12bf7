import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { CacheInvalidator } from '../../src/application/ports/cache-invalidator.port';
import { TOKENS } from '../../src/infrastructure/tokens';
import { sampleValue } from '../support/prometheus-text';
import { currentRun } from '../support/run-resources';
import { SeedRows, type RowData } from '../support/seed-rows';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

/**
 * The read cache over this run's Redis. The apps share a key prefix of their own, so generations
 * bumped by other test files never turn an expected hit into a miss.
 */
describe('POST /api/v1/data/query read cache', () => {
  const env = { REDIS_KEY_PREFIX: `${currentRun().keyPrefix}cache-${randomBytes(4).toString('hex')}:` };
  let t: TestApp;
  let other: TestApp;
  let seed: SeedRows;
  let owner: RowData;
  let token: string;
  const select = (app: TestApp, body: object = {}, as = token) =>
    request(app.app).post('/api/v1/data/query').set(bearer(as)).send({ database: 'postgresql', query_type: 'select', table: 'projects', sort: [{ column: 'title' }], ...body });
  const invalidate = (app: TestApp, tables: string[]) => app.container.get<CacheInvalidator>(TOKENS.CacheInvalidator).invalidate(tables);
  const titles = (res: request.Response) => res.body.data.map((row: RowData) => row.title);

  beforeAll(async () => {
    [t, other] = await Promise.all([buildTestApp({ env }), buildTestApp({ env })]);
    seed = await SeedRows.connect();
    owner = await seed.user();
    token = await aToken({ sub: owner.id as string });
    await seed.project(owner.id as string, { title: 'first' });
  });
  afterAll(async () => {
    await seed.close();
    await Promise.all([t.close(), other.close()]);
  });

  it('misses, then hits with the same body', async () => {
    const body = { filters: { status: 'draft' }, fields: ['id', 'title', 'created_at', 'settings'] };
    const miss = await select(t, body).expect(200);
    const hit = await select(t, body).expect(200);
    expect([miss.body.cache, hit.body.cache]).toEqual(['miss', 'hit']);
    expect(hit.body.data).toEqual(miss.body.data);
    expect(hit.body.pagination).toEqual(miss.body.pagination);
  });

  it('sends a hit as the same JSON bytes as the miss and a bypassed read, but for its timing and cache status', async () => {
    const body = { filters: { title: 'first' }, fields: ['title', 'id', 'settings', 'created_at'], count: 'exact' };
    const miss = await select(t, body).expect(200);
    const hit = await select(t, body).expect(200);
    const bypassed = await select(t, { ...body, cache: 'bypass' }).expect(200);
    expect([miss.body.cache, hit.body.cache, bypassed.body.cache]).toEqual(['miss', 'hit', 'bypass']);
    for (const res of [miss, hit, bypassed]) {
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.text).toBe(JSON.stringify(res.body));
      expect(Object.keys(res.body)).toEqual(['data', 'pagination', 'execution_time_ms', 'cache']);
      expect(typeof res.body.execution_time_ms).toBe('number');
    }
    const sansTiming = (res: request.Response) => res.text.replace(/,"execution_time_ms":[^,]+,"cache":"[a-z]+"}$/, '}');
    expect(sansTiming(hit)).toBe(sansTiming(miss));
    expect(sansTiming(bypassed)).toBe(sansTiming(miss));
    expect(miss.body.pagination).toEqual({ page: 1, limit: expect.any(Number), total: 1, pages: 1 });
  });

  it('treats filters given in another order as the same query', async () => {
    await select(t, { filters: { status: 'draft', title: 'first' } }).expect(200);
    const res = await select(t, { filters: { title: 'first', status: 'draft' } }).expect(200);
    expect(res.body.cache).toBe('hit');
  });

  it('keys by caller scope: the same query by an admin is a separate entry', async () => {
    const body = { filters: { user_id: owner.id } };
    expect((await select(t, body).expect(200)).body.cache).toBe('miss');
    const asAdmin = await select(t, body, await aToken({ role: 'admin' })).expect(200);
    expect(asAdmin.body.cache).toBe('miss');
    expect(titles(asAdmin)).toEqual(['first']);
  });

  it('bypasses on request: neither reads nor fills the cache', async () => {
    const body = { filters: { title: { like: 'f%' } } };
    expect((await select(t, { ...body, cache: 'bypass' }).expect(200)).body.cache).toBe('bypass');
    expect((await select(t, body).expect(200)).body.cache).toBe('miss');
    expect((await select(t, { ...body, cache: 'bypass' }).expect(200)).body.cache).toBe('bypass');
  });

  it('serves fresh rows after a write invalidates the table', async () => {
    await select(t).expect(200);
    expect((await select(t).expect(200)).body.cache).toBe('hit');
    await seed.project(owner.id as string, { title: 'second' });
    await invalidate(t, ['projects']);
    const after = await select(t).expect(200);
    expect(after.body.cache).toBe('miss');
    expect(titles(after)).toEqual(['first', 'second']);
  });

  it('shares entries and invalidations between instances through Redis', async () => {
    const body = { fields: ['title'] };
    await select(t, body).expect(200);
    expect((await select(other, body).expect(200)).body.cache).toBe('hit');
    await seed.project(owner.id as string, { title: 'third' });
    await invalidate(other, ['projects']);
    const res = await select(t, body).expect(200);
    expect(res.body.cache).toBe('miss');
    expect(titles(res)).toContain('third');
  });

  it('invalidates child-table reads when their parent changes owner', async () => {
    const project = await seed.project(owner.id as string, { title: 'with analysis' });
    const analysis = await seed.contentAnalysis(project.id as string);
    const body = { table: 'content_analysis', sort: [], filters: { id: analysis.id } };
    expect((await select(t, body).expect(200)).body.data).toHaveLength(1);
    expect((await select(t, body).expect(200)).body.cache).toBe('hit');
    const stranger = await seed.user();
    await seed.sql.query('UPDATE projects SET user_id = $1 WHERE id = $2', [stranger.id, project.id]);
    await invalidate(t, ['projects']);
    const res = await select(t, body).expect(200);
    expect(res.body).toMatchObject({ cache: 'miss', data: [] });
  });

  it('leaves other tables\' entries alone', async () => {
    const body = { table: 'files', sort: [] };
    await select(t, body).expect(200);
    await invalidate(t, ['projects']);
    expect((await select(t, body).expect(200)).body.cache).toBe('hit');
  });

  it('counts hits and misses in /metrics with cache="query"', async () => {
    const admin = bearer(await aToken({ role: 'admin' }));
    const metrics = async () => (await request(t.app).get('/metrics').set(admin).expect(200)).text;
    const before = await metrics();
    const body = { filters: { title: 'metrics' } };
    await select(t, body).expect(200);
    await select(t, body).expect(200);
    const after = await metrics();
    const count = (text: string, name: string) => sampleValue(text, name, { cache: 'query' }) ?? 0;
    expect(count(after, 'cache_misses_total') - count(before, 'cache_misses_total')).toBe(1);
    expect(count(after, 'cache_hits_total') - count(before, 'cache_hits_total')).toBe(1);
  });
});

describe('QUERY_CACHE_TTL_SECONDS', () => {
  it('lets an entry expire after its time to live', async () => {
    const t = await buildTestApp({ env: { QUERY_CACHE_TTL_SECONDS: '1', REDIS_KEY_PREFIX: `${currentRun().keyPrefix}ttl-${randomBytes(4).toString('hex')}:` } });
    try {
      const token = await aToken();
      const select = () => request(t.app).post('/api/v1/data/query').set(bearer(token)).send({ database: 'postgresql', query_type: 'select', table: 'projects' }).expect(200);
      expect([(await select()).body.cache, (await select()).body.cache]).toEqual(['miss', 'hit']);
      await new Promise((r) => setTimeout(r, 1_200));
      expect((await select()).body.cache).toBe('miss');
    } finally {
      await t.close();
    }
  });
});
