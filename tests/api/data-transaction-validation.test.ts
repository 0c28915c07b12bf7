import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { expectStandardError } from '../support/error-body';
import { currentRun } from '../support/run-resources';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken } from '../support/tokens';
import { aProjectRow, aUserRow, insert, remove, transaction, update, upsert, type Operation } from '../support/transaction-requests';

/** What is refused before anything runs: every operation validated first, injection attempts included. */
describe('POST /api/v1/data/transaction validation', () => {
  let t: TestApp;
  let sql: Client;
  const alice = { id: randomUUID(), token: '' };
  let admin: string;
  const run = (token: string, operations: Operation[]) => transaction(t.app, token, operations);
  const rows = async (text: string, values: unknown[]) => (await sql.query(text, values)).rows;

  beforeAll(async () => {
    t = await buildTestApp();
    sql = new Client({ connectionString: currentRun().databaseUrl });
    await sql.connect();
    [alice.token, admin] = await Promise.all([aToken({ sub: alice.id }), aToken({ role: 'admin' })]);
    await run(alice.token, [insert('users', aUserRow())]).expect(200);
  });
  afterAll(async () => {
    await sql.end();
    await t.close();
  });

  it('validates every operation first and names each offending one; nothing runs', async () => {
    const title = `validated-${randomUUID()}`;
    const res = await run(alice.token, [
      insert('projects', aProjectRow({ title })),
      insert('no_such_table', { a: 1 }),
      update('projects', {}, { title: 'x' }),
      insert('projects', { nope: 1 }),
      update('users', { id: alice.id }, { role: 'admin' }),
      { database: 'redis', operation: 'set', key: 'bad key!', value: 'x' },
      remove('projects', { title: { regex: '.*' } }),
      upsert('projects', { title: 'x' }, ['title']),
      insert('data_outbox', { transaction_id: 'x' }),
    ]);
    const issues = expectStandardError(res, 400, 'VALIDATION_ERROR').details.issues as Array<{ operation: number; path: string }>;
    expect(issues.map((i) => [i.operation, i.path])).toEqual([
      [2, 'operations.1.table'],
      [3, 'operations.2.filters'],
      [4, 'operations.3.data.nope'],
      [5, 'operations.4.data.role'],
      [6, 'operations.5.key'],
      [7, 'operations.6.filters.title.regex'],
      [8, 'operations.7.on_conflict'],
      [9, 'operations.8.table'],
    ]);
    expect(await rows('SELECT 1 FROM projects WHERE title = $1', [title])).toEqual([]);
  });

  it('refuses malformed bodies with the standard 400', async () => {
    expectStandardError(await run(alice.token, []), 400, 'VALIDATION_ERROR');
    expectStandardError(await run(alice.token, Array.from({ length: 101 }, () => insert('projects', aProjectRow()))), 400, 'VALIDATION_ERROR');
    expectStandardError(await run(alice.token, [{ database: 'mysql', operation: 'insert', table: 'projects' }]), 400, 'VALIDATION_ERROR');
  });

  it('is documented in the OpenAPI document, with its error statuses', async () => {
    const doc = (await request(t.app).get('/api/v1/openapi.json').expect(200)).body;
    const post = doc.paths['/api/v1/data/transaction'].post;
    expect(post.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '404', '409', '503']));
    expect(doc.components.schemas.TransactionRequest).toBeDefined();
  });

  it('executes no SQL injected through table, column or values', async () => {
    const tables = ['projects; DROP TABLE users; --', 'projects"; DROP TABLE users; --', 'pg_catalog.pg_user'];
    for (const table of tables) expectStandardError(await run(admin, [insert(table, { title: 'x' })]), 400, 'VALIDATION_ERROR');
    const columns = await run(admin, [insert('projects', { 'title") VALUES (\'x\'); DROP TABLE users; --': 'x' })]);
    expectStandardError(columns, 400, 'VALIDATION_ERROR');
    const filter = await run(alice.token, [update('projects', { "title' OR '1'='1": 'x' }, { title: 'y' })]);
    expectStandardError(filter, 400, 'VALIDATION_ERROR');

    const evil = "'); DROP TABLE users; --";
    const stored = await run(alice.token, [insert('projects', aProjectRow({ title: evil }))]).expect(200);
    expect(stored.body.results[0].data.title).toBe(evil);
    const widened = await run(alice.token, [update('projects', { title: "x' OR '1'='1" }, { description: 'pwned' })]).expect(200);
    expect(widened.body.results[0].data).toEqual([]);
    expect(await rows("SELECT count(*)::int AS n FROM projects WHERE description = 'pwned'", [])).toEqual([{ n: 0 }]);
    expect(await rows("SELECT to_regclass('users') IS NOT NULL AS present", [])).toEqual([{ present: true }]);
  });
});
