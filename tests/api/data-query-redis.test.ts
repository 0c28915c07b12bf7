import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { expectStandardError } from '../support/error-body';
import { currentRun } from '../support/run-resources';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

/** Keys are written straight into Redis, where the service keeps them: `data:user:<sub>:<key>`. */
describe('POST /api/v1/data/query (redis get)', () => {
  let t: TestApp;
  let raw: Redis;
  const alice = randomUUID();
  const bob = randomUUID();
  const tokens = new Map<string | null, string>();
  const get = (sub: string | null, keys: unknown) =>
    request(t.app)
      .post('/api/v1/data/query')
      .set(bearer(tokens.get(sub) as string))
      .send({ database: 'redis', query_type: 'get', keys });

  beforeAll(async () => {
    t = await buildTestApp({ migrate: false });
    for (const sub of [alice, bob]) tokens.set(sub, await aToken({ sub }));
    tokens.set(null, await aToken({ role: 'admin' }));
    raw = new Redis(currentRun().redisUrl, { keyPrefix: currentRun().keyPrefix });
    await raw.set(`data:user:${alice}:project:cache:p1`, '{"status":"created"}');
    await raw.hset(`data:user:${alice}:session`, { step: '2', title: 'Mon projet' });
    await raw.set(`data:user:${bob}:secret`, 'bob only');
    await raw.rpush(`data:user:${alice}:a-list`, 'x');
    await raw.set('data:shared', 'for admins');
  });
  afterAll(async () => {
    await raw.quit();
    await t.close();
  });

  it('reads strings as text, hashes as objects, missing keys as null, in the caller\'s namespace', async () => {
    const res = await get(alice, ['project:cache:p1', 'session', 'nothing-here']).expect(200);
    expect(res.body).toEqual({
      data: { 'project:cache:p1': '{"status":"created"}', session: { step: '2', title: 'Mon projet' }, 'nothing-here': null },
      execution_time_ms: expect.any(Number),
      cache: 'bypass',
    });
  });

  it('never reaches another user\'s keys, whatever the key names', async () => {
    const res = await get(alice, ['secret', `user:${bob}:secret`, `data:user:${bob}:secret`]).expect(200);
    expect(Object.values(res.body.data)).toEqual([null, null, null]);
    expect((await get(bob, ['secret']).expect(200)).body.data).toEqual({ secret: 'bob only' });
  });

  it('gives an admin the shared space, where every user namespace lives', async () => {
    const res = await get(null, ['shared', `user:${bob}:secret`]).expect(200);
    expect(res.body.data).toEqual({ shared: 'for admins', [`user:${bob}:secret`]: 'bob only' });
  });

  it('answers a key asked twice once', async () => {
    expect((await get(alice, ['session', 'session']).expect(200)).body.data).toEqual({ session: { step: '2', title: 'Mon projet' } });
  });

  it.each([
    ['no keys', [], 'body.keys'],
    ['101 keys', Array.from({ length: 101 }, (_, i) => `k${i}`), 'body.keys'],
    ['a key with a space', ['ok', 'bad key'], 'body.keys.1'],
    ['an empty key', [''], 'body.keys.0'],
    ['a key too long', ['k'.repeat(257)], 'body.keys.0'],
    ['a key with a wildcard', ['project:*'], 'body.keys.0'],
    ['keys that are not a list', 'project:cache:p1', 'body.keys'],
  ])('refuses %s with a 400 naming it', async (_name, keys, path) => {
    const error = expectStandardError(await get(alice, keys), 400, 'VALIDATION_ERROR');
    expect((error.details.issues as Array<{ path: string }>).map((i) => i.path)).toContain(path);
  });

  it('refuses a key holding another Redis type, naming it', async () => {
    const error = expectStandardError(await get(alice, ['session', 'a-list']), 400, 'VALIDATION_ERROR');
    expect(error.details.issues).toEqual([{ path: 'body.keys.1', message: expect.stringMatching(/string or hash/) }]);
  });

  describe('with one `key`', () => {
    const ask = (body: Record<string, unknown>) =>
      request(t.app)
        .post('/api/v1/data/query')
        .set(bearer(tokens.get(alice) as string))
        .send({ database: 'redis', query_type: 'get', ...body });

    it('reads it like `keys` with that one key, in the caller\'s namespace', async () => {
      expect((await ask({ key: 'session' }).expect(200)).body).toEqual({
        data: { session: { step: '2', title: 'Mon projet' } },
        execution_time_ms: expect.any(Number),
        cache: 'bypass',
      });
      expect((await ask({ key: 'secret' }).expect(200)).body.data).toEqual({ secret: null });
    });

    it.each([
      ['both key and keys', { key: 'session', keys: ['session'] }, 'body'],
      ['neither key nor keys', {}, 'body'],
      ['a key with a wildcard', { key: 'project:*' }, 'body.key'],
      ['a key that is a list', { key: ['session'] }, 'body.key'],
    ])('refuses %s with a 400 naming it', async (_name, body, path) => {
      const error = expectStandardError(await ask(body), 400, 'VALIDATION_ERROR');
      expect((error.details.issues as Array<{ path: string }>).map((i) => i.path)).toContain(path);
    });

    it('is documented in the OpenAPI document, as one of the two', async () => {
      const doc = (await request(t.app).get('/api/v1/openapi.json').expect(200)).body;
      const schema = doc.components.schemas.RedisGetRequest;
      expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['key', 'keys']));
      expect(schema.oneOf).toEqual([{ required: ['key'] }, { required: ['keys'] }]);
    });

    it('names `key` when it holds another Redis type', async () => {
      const error = expectStandardError(await ask({ key: 'a-list' }), 400, 'VALIDATION_ERROR');
      expect(error.details.issues).toEqual([{ path: 'body.key', message: expect.stringMatching(/string or hash/) }]);
    });
  });

  it('refuses fields of the other database', async () => {
    const res = await request(t.app)
      .post('/api/v1/data/query')
      .set(bearer(await aToken({ sub: alice })))
      .send({ database: 'redis', query_type: 'get', keys: ['k'], table: 'projects' });
    expectStandardError(res, 400, 'VALIDATION_ERROR');
  });
});
