import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { expectStandardError } from '../support/error-body';
import { eventually } from '../support/eventually';
import { SeedRows } from '../support/seed-rows';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';
import { aKey, aProjectRow, insert, redis, transaction } from '../support/transaction-requests';

/** A lease's interactive transaction seen through the data endpoints: what others see, and when. */
describe('an interactive transaction on a lease, across data requests', () => {
  let t: TestApp;
  let seed: SeedRows;
  const user = { id: randomUUID(), token: '' };
  let stranger: string;

  const acquire = async (body: object = {}) =>
    (
      await request(t.app)
        .post('/api/v1/connections/acquire')
        .set(bearer(user.token))
        .send({ service_name: 'core-project-service', database_type: 'postgresql', operation_type: 'write', ...body })
        .expect(201)
    ).body.connection_id as string;
  const tx = (id: string, verb: 'begin' | 'commit' | 'rollback') => request(t.app).post(`/api/v1/connections/${id}/${verb}`).set(bearer(user.token));
  const projectsTitled = async (title: string, extra: object = {}, token = user.token) => {
    const res = await request(t.app)
      .post('/api/v1/data/query')
      .set(bearer(token))
      .send({ database: 'postgresql', query_type: 'select', table: 'projects', filters: { title }, ...extra })
      .expect(200);
    return res.body.data as Array<Record<string, unknown>>;
  };
  const redisValue = async (key: string) =>
    (await request(t.app).post('/api/v1/data/query').set(bearer(user.token)).send({ database: 'redis', query_type: 'get', keys: [key] }).expect(200)).body.data[key];

  beforeAll(async () => {
    t = await buildTestApp({ env: { LEASE_REAP_INTERVAL_MS: '100' } });
    seed = await SeedRows.connect();
    await seed.user({ id: user.id });
    [user.token, stranger] = await Promise.all([aToken({ sub: user.id }), aToken({ sub: randomUUID() })]);
  });
  afterAll(async () => {
    await seed.close();
    await t.close();
  });

  it('keeps its writes to the lease until commit, then shows them everywhere, cache and Redis included', async () => {
    const id = await acquire();
    const row = aProjectRow();
    const key = aKey('lease');
    await tx(id, 'begin').expect(200);
    const written = await transaction(t.app, user.token, [insert('projects', row), redis('set', key, { value: 'after-commit' })], { connection_id: id }).expect(200);
    expect(written.body.status).toBe('pending_commit');

    // Outside the lease nothing shows yet, and this empty answer is what the read cache now holds.
    expect(await projectsTitled(row.title)).toEqual([]);
    expect(await projectsTitled(row.title, { connection_id: id })).toHaveLength(1);
    expect(await redisValue(key)).toBeNull();

    expect((await tx(id, 'commit').expect(200)).body).toEqual({ connection_id: id, transaction_status: 'committed' });
    // Read after the commit's answer: never the stale cached emptiness, and the Redis effect is there.
    expect(await projectsTitled(row.title)).toEqual([expect.objectContaining({ title: row.title, user_id: user.id })]);
    expect(await redisValue(key)).toBe('after-commit');
  });

  it('drops its writes and Redis operations on rollback', async () => {
    const id = await acquire();
    const row = aProjectRow();
    const key = aKey('lease');
    await tx(id, 'begin').expect(200);
    await transaction(t.app, user.token, [insert('projects', row), redis('set', key, { value: 'never' })], { connection_id: id }).expect(200);
    await tx(id, 'rollback').expect(200);
    expect(await projectsTitled(row.title, { cache: 'bypass' })).toEqual([]);
    expect(await projectsTitled(row.title, { connection_id: id })).toEqual([]);
    expect(await redisValue(key)).toBeNull();
  });

  it('rolls back what an expired lease left open once the reaper releases it', async () => {
    const id = await acquire({ ttl_seconds: 1 });
    const row = aProjectRow();
    await tx(id, 'begin').expect(200);
    expect((await transaction(t.app, user.token, [insert('projects', row)], { connection_id: id }).expect(200)).body.status).toBe('pending_commit');
    // Probed with begin, which only answers 409 (already active) while the lease lives: it changes nothing.
    await eventually('the lease reaped', async () => ((await tx(id, 'begin')).status === 404 ? true : undefined), 5_000);
    expect(await projectsTitled(row.title, { cache: 'bypass' })).toEqual([]);
  });

  it("refuses another caller's connection_id on the data endpoints with 404 LEASE_NOT_FOUND", async () => {
    const id = await acquire();
    const query = await request(t.app)
      .post('/api/v1/data/query')
      .set(bearer(stranger))
      .send({ database: 'postgresql', query_type: 'select', table: 'projects', connection_id: id });
    expectStandardError(query, 404, 'LEASE_NOT_FOUND');
    expectStandardError(await transaction(t.app, stranger, [insert('projects', aProjectRow())], { connection_id: id }), 404, 'LEASE_NOT_FOUND');
    await request(t.app).post('/api/v1/connections/release').set(bearer(user.token)).send({ connection_id: id, service_name: 'core-project-service' }).expect(200);
  });
});
