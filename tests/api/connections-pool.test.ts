import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { expectStandardError } from '../support/error-body';
import { currentRun } from '../support/run-resources';
import { TcpProxy } from '../support/tcp-proxy';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

const SERVICE = 'ai-analysis-service';
const acquire = (t: TestApp, auth: Record<string, string>) =>
  request(t.app).post('/api/v1/connections/acquire').set(auth).send({ service_name: SERVICE, database_type: 'postgresql', operation_type: 'write' });
const release = (t: TestApp, auth: Record<string, string>, id: string) =>
  request(t.app).post('/api/v1/connections/release').set(auth).send({ connection_id: id, service_name: SERVICE });

describe('leases when the pool is exhausted (DB_POOL_MAX=2)', () => {
  let t: TestApp;
  let user: { Authorization: string };
  let admin: { Authorization: string };
  const held: string[] = [];

  beforeAll(async () => {
    t = await buildTestApp({ migrate: false, env: { DB_POOL_MAX: '2', DB_CONNECT_TIMEOUT: '500' } });
    user = bearer(await aToken({ sub: randomUUID() }));
    admin = bearer(await aToken({ role: 'admin', sub: randomUUID() }));
    for (let i = 0; i < 2; i++) held.push((await acquire(t, user).expect(201)).body.connection_id);
  });
  afterAll(() => t.close());

  const expectExhausted = (res: request.Response) => {
    const error = expectStandardError(res, 503, 'DATABASE_CONNECTION_FAILED');
    expect(error.message).toBe('Unable to acquire database connection');
    expect(error.details).toEqual({ database: 'postgresql', pool_status: 'exhausted', retry_after: 1 });
    expect(res.headers['retry-after']).toBe('1');
  };

  it("answers a third acquire, after the bounded wait, 503 with the seed's body and Retry-After", async () => {
    const started = Date.now();
    expectExhausted(await acquire(t, bearer(await aToken({ sub: randomUUID() }))));
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });

  it('answers any other request that needs a connection the same way (admin GET /api/v1/migrations/status)', async () => {
    expectExhausted(await request(t.app).get('/api/v1/migrations/status').set(admin));
  });

  it('hands a freed client to an acquire that is waiting for one', async () => {
    const waiting = acquire(t, admin).then((res) => res);
    await new Promise((r) => setTimeout(r, 100));
    await release(t, user, held.pop()!).expect(200);
    const res = await waiting;
    expect(res.status).toBe(201);
    expect(res.body.pool_stats).toMatchObject({ active: 2 });
    await release(t, admin, res.body.connection_id).expect(200);
  });
});

describe('leases when PostgreSQL is down or hung (through a TCP proxy)', () => {
  const proxy = TcpProxy.forUrl(currentRun().databaseUrl);
  let t: TestApp;
  let user: { Authorization: string };

  beforeAll(async () => {
    await proxy.start();
    t = await buildTestApp({ migrate: false, env: { DATABASE_URL: proxy.rewrite(currentRun().databaseUrl), DB_CONNECT_TIMEOUT: '500' } });
    user = bearer(await aToken({ sub: randomUUID() }));
  });
  afterAll(async () => {
    await proxy.restore();
    await t.close();
    await proxy.stop();
  });

  it('survives losing the connection of a held lease: the lease answers 503, and release still works', async () => {
    const { body } = await acquire(t, user).expect(201);
    await request(t.app).post(`/api/v1/connections/${body.connection_id}/begin`).set(user).expect(200);
    await proxy.cut();
    try {
      // Give the socket's close time to arrive: without a listener on the leased client, it would end the process.
      await new Promise((r) => setTimeout(r, 200));
      const res = await request(t.app).post(`/api/v1/connections/${body.connection_id}/commit`).set(user);
      expectStandardError(res, 503, 'DATABASE_UNAVAILABLE');
      await release(t, user, body.connection_id).expect(200);
    } finally {
      await proxy.restore();
    }
  });

  it('answers 503 DATABASE_UNAVAILABLE when the server refuses connections', async () => {
    await proxy.cut();
    try {
      const error = expectStandardError(await acquire(t, user), 503, 'DATABASE_UNAVAILABLE');
      expect(error.details).toEqual({ database: 'postgresql' });
    } finally {
      await proxy.restore();
    }
  });

  it('answers 504 DATABASE_TIMEOUT when the server accepts but never answers', async () => {
    await proxy.hang();
    try {
      const error = expectStandardError(await acquire(t, user), 504, 'DATABASE_TIMEOUT');
      expect(error.details).toEqual({ database: 'postgresql' });
    } finally {
      await proxy.restore();
    }
  });

  it('grants leases again once the server is back', async () => {
    const { body } = await acquire(t, user).expect(201);
    expect(body.database_url).not.toContain('@127.0.0.1:5432');
    await release(t, user, body.connection_id).expect(200);
  });
});
