import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import type { Container } from 'inversify';
import request from 'supertest';
import type { CacheInvalidator } from '../../src/application/ports/cache-invalidator.port';
import type { PendingInvalidations } from '../../src/application/ports/pending-invalidations.port';
import { KeyValueUnavailable } from '../../src/domain/shared/errors';
import { TOKENS } from '../../src/infrastructure/tokens';
import { expectStandardError } from '../support/error-body';
import { eventually } from '../support/eventually';
import { ScriptedPending } from '../support/read-fakes';
import { currentRun } from '../support/run-resources';
import { SeedRows, type RowData } from '../support/seed-rows';
import { TcpProxy } from '../support/tcp-proxy';
import { buildTestContainer } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

function bindPending(container: Container, pending: PendingInvalidations): void {
  (container.isBound(TOKENS.PendingInvalidations) ? container.rebindSync(TOKENS.PendingInvalidations) : container.bind(TOKENS.PendingInvalidations)).toConstantValue(pending);
}

/**
 * Redis cut (through a TCP proxy) under the read cache: queries keep answering from PostgreSQL with
 * cache "bypass", and the cache comes back only once no write owes an invalidation, so the entry a
 * write made stale during the outage is never served.
 */
describe('read cache while Redis is unreachable', () => {
  const run = currentRun();
  const proxy = TcpProxy.forUrl(run.redisUrl);
  // Stands in for the outbox: a test says when a committed write still owes an invalidation.
  const pending = new ScriptedPending();
  let app: Express;
  let container: Container;
  let close: () => Promise<void>;
  let seed: SeedRows;
  let owner: RowData;
  let token: string;
  const select = () =>
    request(app).post('/api/v1/data/query').set(bearer(token)).send({ database: 'postgresql', query_type: 'select', table: 'projects', sort: [{ column: 'title' }] }).expect(200);
  const titles = (res: request.Response) => res.body.data.map((row: RowData) => row.title);
  const invalidator = () => container.get<CacheInvalidator>(TOKENS.CacheInvalidator);

  beforeAll(async () => {
    await proxy.start();
    const env = { REDIS_URL: proxy.rewrite(run.redisUrl), REDIS_KEY_PREFIX: `${run.keyPrefix}outage-${randomBytes(4).toString('hex')}:` };
    const wired = await buildTestContainer({ env });
    ({ container, close } = wired);
    bindPending(container, pending);
    app = container.get<Express>(TOKENS.HttpApp);
    seed = await SeedRows.connect();
    owner = await seed.user();
    token = await aToken({ sub: owner.id as string });
    await seed.project(owner.id as string, { title: 'before' });
  });
  afterAll(async () => {
    await proxy.restore();
    await seed.close();
    await close();
    await proxy.stop();
  });

  it('caches while Redis answers', async () => {
    expect([(await select()).body.cache, (await select()).body.cache]).toEqual(['miss', 'hit']);
  });

  describe('when Redis goes away', () => {
    beforeAll(() => proxy.cut());

    it('serves queries from PostgreSQL with cache "bypass", and health says DEGRADED', async () => {
      const res = await select();
      expect(res.body).toMatchObject({ cache: 'bypass', pagination: { total: 1 } });
      expect(titles(res)).toEqual(['before']);
      const health = await request(app).get('/health').expect(200);
      expect(health.body).toMatchObject({ status: 'DEGRADED', checks: { redis: { status: 'DOWN' } } });
    });

    it('refuses to pretend an invalidation happened: the invalidator throws, the write owes it', async () => {
      await seed.project(owner.id as string, { title: 'during' });
      await expect(invalidator().invalidate(['projects'])).rejects.toBeInstanceOf(KeyValueUnavailable);
      pending.owed = true;
      expect(titles(await select())).toEqual(['before', 'during']);
    });

    it('answers a redis get with 503 CACHE_UNAVAILABLE', async () => {
      const res = await request(app).post('/api/v1/data/query').set(bearer(token)).send({ database: 'redis', query_type: 'get', keys: ['k'] });
      expectStandardError(res, 503, 'CACHE_UNAVAILABLE');
    });
  });

  describe('when Redis is back', () => {
    beforeAll(async () => {
      await proxy.restore();
      await eventually('Redis back', async () => ((await request(app).get('/health')).body.checks?.redis?.status === 'UP' ? true : undefined));
    });

    it('keeps bypassing while a write still owes an invalidation, asking at most once per second', async () => {
      await new Promise((r) => setTimeout(r, 1_100));
      const callsBefore = pending.calls;
      for (let i = 0; i < 10; i++) {
        const res = await select();
        expect(res.body.cache).toBe('bypass');
        expect(titles(res)).toEqual(['before', 'during']);
      }
      expect(pending.calls - callsBefore).toBe(1);
    });

    it('uses the cache again once the owed invalidation is applied, with fresh rows', async () => {
      await invalidator().invalidate(['projects']);
      pending.owed = false;
      const fresh = await eventually('the cache back in use', async () => {
        const res = await select();
        return res.body.cache === 'bypass' ? undefined : res;
      });
      expect(fresh.body.cache).toBe('miss');
      expect(titles(fresh)).toEqual(['before', 'during']);
      const hit = await select();
      expect(hit.body.cache).toBe('hit');
      expect(titles(hit)).toEqual(['before', 'during']);
    });
  });
});
