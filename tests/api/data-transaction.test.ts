import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { expectStandardError } from '../support/error-body';
import { currentRun } from '../support/run-resources';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken } from '../support/tokens';
import { aProjectRow, aUserRow, insert, remove, transaction, update, upsert, type Operation } from '../support/transaction-requests';

/** The PostgreSQL side over HTTP: writes with RETURNING, scoping, rollbacks. Every user and row is this file's own. */
describe('POST /api/v1/data/transaction (PostgreSQL)', () => {
  let t: TestApp;
  let sql: Client;
  let raw: Redis;
  const alice = { id: randomUUID(), token: '' };
  const bob = { id: randomUUID(), token: '' };
  let admin: string;
  const run = (token: string, operations: Operation[], extra: Record<string, unknown> = {}) => transaction(t.app, token, operations, extra);
  const rows = async (text: string, values: unknown[]) => (await sql.query(text, values)).rows;

  beforeAll(async () => {
    t = await buildTestApp();
    sql = new Client({ connectionString: currentRun().databaseUrl });
    await sql.connect();
    raw = new Redis(currentRun().redisUrl, { keyPrefix: currentRun().keyPrefix, maxRetriesPerRequest: 1 });
    [alice.token, bob.token, admin] = await Promise.all([aToken({ sub: alice.id }), aToken({ sub: bob.id }), aToken({ role: 'admin' })]);
    // Each user creates their own users row: the id is forced to theirs.
    for (const user of [alice, bob]) await run(user.token, [insert('users', aUserRow())]).expect(200);
  });
  afterAll(async () => {
    raw.disconnect();
    await sql.end();
    await t.close();
  });

  it('answers the seed shape; an insert returns its row, without secret columns', async () => {
    const res = await run(alice.token, [insert('projects', aProjectRow({ title: 'Shape' }))]).expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['execution_time_ms', 'results', 'status', 'transaction_id']);
    expect(res.body).toMatchObject({ transaction_id: expect.stringMatching(/^tx_[0-9a-f]{24}$/), status: 'committed', execution_time_ms: expect.any(Number) });
    expect(res.body.results).toEqual([{ operation: 1, status: 'success', data: expect.objectContaining({ id: expect.any(String), title: 'Shape', status: 'draft', user_id: alice.id }) }]);
    const me = await run(alice.token, [update('users', { id: alice.id }, { first_name: 'Alice' })]).expect(200);
    expect(me.body.results[0].data).toEqual([expect.objectContaining({ id: alice.id, first_name: 'Alice' })]);
    expect(me.body.results[0].data[0]).not.toHaveProperty('password_hash');
  });

  it('gives a non-admin insert user_id = the caller, whatever it sends; a user row the caller\'s id', async () => {
    const res = await run(alice.token, [insert('projects', aProjectRow({ user_id: bob.id }))]).expect(200);
    expect(res.body.results[0].data.user_id).toBe(alice.id);
    const [stored] = await rows('SELECT user_id FROM projects WHERE id = $1', [res.body.results[0].data.id]);
    expect(stored.user_id).toBe(alice.id);
  });

  it('updates, deletes and upserts with RETURNING, in one transaction, in order', async () => {
    const id = randomUUID();
    const res = await run(alice.token, [
      insert('projects', aProjectRow({ id, title: 'Before' })),
      update('projects', { id }, { title: 'After', status: 'active' }, { returning: ['id', 'title', 'status'] }),
      upsert('projects', { id, title: 'Upserted' }, ['id'], { returning: ['title'] }),
      upsert('projects', { title: 'Fresh' }, ['id'], { returning: ['title', 'user_id'] }),
      remove('projects', { id }, { returning: ['id'] }),
    ]).expect(200);
    expect(res.body.results).toEqual([
      { operation: 1, status: 'success', data: expect.objectContaining({ id, title: 'Before' }) },
      { operation: 2, status: 'success', data: [{ id, title: 'After', status: 'active' }] },
      { operation: 3, status: 'success', data: { title: 'Upserted' } },
      { operation: 4, status: 'success', data: { title: 'Fresh', user_id: alice.id } },
      { operation: 5, status: 'success', data: [{ id }] },
    ]);
    expect(await rows('SELECT 1 FROM projects WHERE id = $1', [id])).toEqual([]);
  });

  it("leaves other users' rows alone: a cross-user update or delete touches nothing", async () => {
    const created = await run(alice.token, [insert('projects', aProjectRow({ title: 'Mine' }))]).expect(200);
    const id = created.body.results[0].data.id;
    const res = await run(bob.token, [update('projects', { id }, { title: 'Stolen' }), remove('projects', { id })]).expect(200);
    expect(res.body.results.map((r: { data: unknown }) => r.data)).toEqual([[], []]);
    expect(await rows('SELECT title FROM projects WHERE id = $1', [id])).toEqual([{ title: 'Mine' }]);
    // Nor can bob move his own row to alice, or upsert over hers.
    const moved = await run(bob.token, [update('projects', { title: 'x' }, { user_id: alice.id })]);
    expect(expectStandardError(moved, 400, 'VALIDATION_ERROR').details.issues).toEqual([
      { operation: 1, path: 'operations.0.data.user_id', message: 'only an admin may give a row to another owner' },
    ]);
    const over = await run(bob.token, [upsert('projects', { id, title: 'Stolen' }, ['id'])]);
    expect(expectStandardError(over, 409, 'CONFLICT').details).toMatchObject({ status: 'rolled_back', failed_operation: 1 });
    expect(await rows('SELECT title, user_id FROM projects WHERE id = $1', [id])).toEqual([{ title: 'Mine', user_id: alice.id }]);
    // The upsert's refusal says no more than an insert of the same key would: nothing about whose row it is.
    const sameKeyInsert = await run(bob.token, [insert('projects', { id, title: 'Stolen' })]);
    expect(over.body.error.message).toBe(sameKeyInsert.body.error.message);
    const withoutId = ({ transaction_id: _id, ...rest }: Record<string, unknown>) => rest;
    expect(withoutId(over.body.error.details)).toEqual(withoutId(sameKeyInsert.body.error.details));
    expect(JSON.stringify(over.body)).not.toMatch(/not yours/);
  });

  it('lets an admin write any row, including admin-only columns', async () => {
    const res = await run(admin, [update('users', { id: bob.id }, { role: 'premium' }, { returning: ['role'] })]).expect(200);
    expect(res.body.results[0].data).toEqual([{ role: 'premium' }]);
  });

  it("refuses a child row under someone else's project, and rolls back the whole transaction", async () => {
    const bobs = await run(bob.token, [insert('projects', aProjectRow())]).expect(200);
    const projectId = bobs.body.results[0].data.id;
    const title = `rolled-back-${randomUUID()}`;
    const res = await run(alice.token, [
      insert('projects', aProjectRow({ title })),
      insert('content_analysis', { project_id: projectId, analysis_type: 'scenes', result: { scenes: 1 } }),
    ]);
    const error = expectStandardError(res, 404, 'PARENT_NOT_FOUND');
    expect(error.details).toEqual({
      transaction_id: expect.stringMatching(/^tx_/),
      status: 'rolled_back',
      failed_operation: 2,
      reason: expect.stringContaining(`no projects row ${projectId} of yours`),
    });
    expect(error.message).toMatch(/^Operation 2 failed/);
    expect(await rows('SELECT 1 FROM projects WHERE title = $1', [title])).toEqual([]);
    expect(await rows('SELECT 1 FROM content_analysis WHERE project_id = $1', [projectId])).toEqual([]);
  });

  it('accepts a child row under the caller\'s own project', async () => {
    const projectId = randomUUID();
    const res = await run(alice.token, [
      insert('projects', aProjectRow({ id: projectId })),
      insert('content_analysis', { project_id: projectId, analysis_type: 'scenes', result: { scenes: [1, 2] }, confidence_score: 0.75 }),
    ]).expect(200);
    expect(res.body.results[1].data).toMatchObject({ project_id: projectId, result: { scenes: [1, 2] }, confidence_score: '0.75' });
  });

  it('rolls everything back when an operation in the middle fails: no row, no Redis key, no outbox entry', async () => {
    const title = `middle-${randomUUID()}`;
    const key = `tx:middle:${randomUUID()}`;
    const res = await run(alice.token, [
      insert('projects', aProjectRow({ title })),
      insert('media_assets', { project_id: null, asset_type: 'image' }),
      { database: 'redis', operation: 'set', key, value: 'never' },
    ]);
    // A non-admin's child row must name its parent: caught before anything runs.
    expect(expectStandardError(res, 400, 'VALIDATION_ERROR').details.issues).toEqual([expect.objectContaining({ operation: 2, path: 'operations.1.data.project_id' })]);

    const failing = await run(alice.token, [
      insert('projects', aProjectRow({ title })),
      insert('projects', { description: 'no title' }),
      { database: 'redis', operation: 'set', key, value: 'never' },
    ]);
    const error = expectStandardError(failing, 400, 'INVALID_DATA');
    expect(error.details).toMatchObject({ status: 'rolled_back', failed_operation: 2, reason: expect.stringMatching(/null value in column "title"/) });
    expect(await rows('SELECT 1 FROM projects WHERE title = $1', [title])).toEqual([]);
    expect(await rows('SELECT 1 FROM data_outbox WHERE transaction_id = $1', [error.details.transaction_id])).toEqual([]);
    await expect(raw.exists(`data:user:${alice.id}:${key}`)).resolves.toBe(0);
  });

  it('answers 409 CONFLICT for a unique key already taken, and 400 INVALID_DATA for a value its column refuses', async () => {
    const email = `dup-${randomUUID()}@example.com`;
    await run(admin, [insert('users', aUserRow({ email }))]).expect(200);
    const dup = await run(admin, [insert('users', aUserRow({ email }))]);
    expect(expectStandardError(dup, 409, 'CONFLICT').details).toMatchObject({ status: 'rolled_back', failed_operation: 1, reason: expect.stringMatching(/duplicate key/) });
    const bad = await run(alice.token, [update('projects', { id: 'not-a-uuid' }, { title: 'x' })]);
    expect(expectStandardError(bad, 400, 'INVALID_DATA').details).toMatchObject({ failed_operation: 1, reason: expect.stringMatching(/uuid/) });
    const long = await run(alice.token, [insert('projects', aProjectRow({ title: 'x'.repeat(300) }))]);
    expect(expectStandardError(long, 400, 'INVALID_DATA').details.reason).toMatch(/too long/);
  });
});
