import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { eventually } from '../support/eventually';
import { currentRun } from '../support/run-resources';
import { storageApp, upload } from '../support/storage-world';
import { aToken, bearer } from '../support/tokens';
import { aProjectRow, aUserRow, insert, transaction } from '../support/transaction-requests';

/** Which actions land in the audit trail, over HTTP on the run's shared database: every query here is by this file's own actors. */
describe('audit trail: what is recorded', () => {
  let world: Awaited<ReturnType<typeof storageApp>>;
  let sql: Client;
  const alice = { id: randomUUID(), token: '' };
  const bob = { id: randomUUID(), token: '' };
  const entries = async (actor: string, action?: string) =>
    (
      await sql.query(`SELECT * FROM audit_log WHERE actor_sub = $1 ${action ? 'AND action = $2' : ''} ORDER BY id`, action ? [actor, action] : [actor])
    ).rows as Array<Record<string, any>>;

  beforeAll(async () => {
    world = await storageApp();
    sql = new Client({ connectionString: currentRun().databaseUrl });
    await sql.connect();
    [alice.token, bob.token] = await Promise.all([aToken({ sub: alice.id }), aToken({ sub: bob.id })]);
    for (const user of [alice, bob]) await transaction(world.app, user.token, [insert('users', aUserRow())]).expect(200);
  });
  afterAll(async () => {
    await sql.end();
    await world.cleanup();
  });

  it('records lease acquire and release with the service name, and an interactive transaction at its commit only', async () => {
    const acquired = await request(world.app)
      .post('/api/v1/connections/acquire')
      .set(bearer(alice.token))
      .send({ service_name: 'core-user-service', database_type: 'postgresql', operation_type: 'write' })
      .expect(201);
    const id = acquired.body.connection_id as string;
    const lease = (verb: string) => request(world.app).post(`/api/v1/connections/${id}/${verb}`).set(bearer(alice.token)).expect(200);

    await lease('begin');
    const rolledBack = await transaction(world.app, alice.token, [insert('projects', aProjectRow())], { connection_id: id }).expect(200);
    await lease('rollback');
    await lease('begin');
    const committed = await transaction(world.app, alice.token, [insert('projects', aProjectRow())], { connection_id: id }).expect(200);
    expect(await sql.query('SELECT 1 FROM audit_log WHERE target_id = $1', [committed.body.transaction_id])).toMatchObject({ rowCount: 0 });
    await lease('commit');
    await request(world.app).post('/api/v1/connections/release').set(bearer(alice.token)).send({ connection_id: id, service_name: 'core-user-service' }).expect(200);

    const mine = await entries(alice.id);
    const actions = mine.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['lease.acquire', 'lease.transaction_begin', 'lease.transaction_rollback', 'lease.transaction_commit', 'data.transaction', 'lease.release']),
    );
    expect(mine.find((e) => e.action === 'lease.acquire')).toMatchObject({ target_id: id, actor_service: 'core-user-service', outcome: 'success' });
    expect(mine.some((e) => e.target_id === rolledBack.body.transaction_id)).toBe(false);
    const tx = mine.find((e) => e.target_id === committed.body.transaction_id);
    expect(tx).toMatchObject({ action: 'data.transaction', outcome: 'success' });
    // Written inside the lease's transaction, before its COMMIT: it precedes the commit's own entry.
    expect(Number(tx!.id)).toBeLessThan(Number(mine.find((e) => e.action === 'lease.transaction_commit')!.id));
  });

  it('records a failed lease action with its error code', async () => {
    await request(world.app).post('/api/v1/connections/release').set(bearer(alice.token)).send({ connection_id: 'conn_unknown', service_name: 'x' }).expect(404);
    const [refused] = (await entries(alice.id, 'lease.release')).filter((e) => e.target_id === 'conn_unknown');
    expect(refused).toMatchObject({ outcome: 'LEASE_NOT_FOUND' });
  });

  it('records a file upload, update, trash, restore and permanent delete, with ids and sizes, never content or names', async () => {
    const content = Buffer.from(`audit ${randomBytes(1024).toString('hex')}`);
    const uploaded = await upload(world.app, alice.token, content, { name: 'private-name.txt', type: 'text/plain' }).expect(201);
    const fileId = (uploaded.body.file?.id ?? uploaded.body.file_id ?? uploaded.body.id) as string;
    expect(fileId).toEqual(expect.any(String));
    await request(world.app).put(`/api/v1/storage/files/${fileId}`).set(bearer(alice.token)).send({ is_public: true }).expect(200);
    await request(world.app).delete(`/api/v1/storage/files/${fileId}`).set(bearer(alice.token)).expect(200);
    await request(world.app).post(`/api/v1/storage/files/${fileId}/restore`).set(bearer(alice.token)).expect(200);
    await request(world.app).delete(`/api/v1/storage/files/${fileId}?permanent=true`).set(bearer(alice.token)).expect(200);

    const forFile = (await entries(alice.id)).filter((e) => e.target_id === fileId);
    expect(forFile.map((e) => e.action)).toEqual(['file.create', 'file.update', 'file.trash', 'file.restore', 'file.delete_permanent']);
    expect(forFile[0]!.details).toMatchObject({ size_bytes: content.length });
    expect(forFile[1]!.details).toEqual({ fields: ['is_public'] });
    expect(JSON.stringify(forFile)).not.toContain('private-name');
  });

  it("records a 404 on someone else's file (rate-limited), but not one on an unknown id", async () => {
    const uploaded = await upload(world.app, alice.token, Buffer.from(`other ${randomBytes(64).toString('hex')}`), { name: 'a.txt', type: 'text/plain' }).expect(201);
    const fileId = (uploaded.body.file?.id ?? uploaded.body.file_id ?? uploaded.body.id) as string;
    const foreign = await request(world.app).get(`/api/v1/storage/files/${fileId}`).set(bearer(bob.token)).expect(404);
    const unknown = await request(world.app).get(`/api/v1/storage/files/${randomUUID()}`).set(bearer(bob.token)).expect(404);
    // Indistinguishable to the caller...
    expect(foreign.body.error.code).toBe(unknown.body.error.code);
    expect(foreign.body.error.message).toBe(unknown.body.error.message);
    // ...but recorded for the foreign file only (off the response path).
    const refused = await eventually('the refusal recorded', async () => {
      const rows = await entries(bob.id, 'file.access_refused');
      return rows.length > 0 ? rows : undefined;
    });
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ target_type: 'file', target_id: fileId, outcome: 'FILE_NOT_FOUND' });
  });
});
