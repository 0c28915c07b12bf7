import request from 'supertest';
import { expectStandardError } from '../support/error-body';
import { SeedRows, type RowData } from '../support/seed-rows';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

/** A query carrying connection_id runs on that lease's connection, scoped as ever and never cached. */
describe('POST /api/v1/data/query on a connection lease', () => {
  let t: TestApp;
  let seed: SeedRows;
  let owner: RowData;
  let auth: { Authorization: string };
  let connectionId: string;
  const select = (as: { Authorization: string }, body: object = {}) =>
    request(t.app).post('/api/v1/data/query').set(as).send({ database: 'postgresql', query_type: 'select', table: 'projects', connection_id: connectionId, ...body });

  beforeAll(async () => {
    t = await buildTestApp();
    seed = await SeedRows.connect();
    owner = await seed.user();
    await seed.project(owner.id as string, { title: 'leased read' });
    await seed.project((await seed.user()).id as string, { title: 'not mine' });
    auth = bearer(await aToken({ sub: owner.id as string }));
    const lease = await request(t.app)
      .post('/api/v1/connections/acquire')
      .set(auth)
      .send({ service_name: 'core-project-service', database_type: 'postgresql', operation_type: 'read' })
      .expect(201);
    connectionId = lease.body.connection_id;
  });
  afterAll(async () => {
    await request(t.app).post('/api/v1/connections/release').set(auth).send({ connection_id: connectionId, service_name: 'core-project-service' });
    await seed.close();
    await t.close();
  });

  it('reads through the lease, scoped to the caller, always with cache "bypass"', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await select(auth).expect(200);
      expect(res.body).toMatchObject({ cache: 'bypass', pagination: { total: 1 } });
      expect(res.body.data.map((row: RowData) => row.title)).toEqual(['leased read']);
    }
  });

  it('reads inside the lease\'s interactive transaction', async () => {
    await request(t.app).post(`/api/v1/connections/${connectionId}/begin`).set(auth).expect(200);
    await select(auth).expect(200);
    await request(t.app).post(`/api/v1/connections/${connectionId}/rollback`).set(auth).expect(200);
  });

  it('answers 404 LEASE_NOT_FOUND for another caller, and for an unknown lease', async () => {
    expectStandardError(await select(bearer(await aToken())), 404, 'LEASE_NOT_FOUND');
    expectStandardError(await select(auth, { connection_id: 'not-a-lease' }), 404, 'LEASE_NOT_FOUND');
  });
});
