import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { expectStandardError } from '../support/error-body';
import { eventually } from '../support/eventually';
import { currentRun } from '../support/run-resources';
import { scratchDatabase } from '../support/scratch-database';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';
import { aUserRow, insert, transaction, update, upsert } from '../support/transaction-requests';

const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');

/**
 * Encrypted columns over HTTP, on a database of their own (the background pass rewrites every users
 * row, which other files must not see): values stored before a key was set, then with key k1, then
 * rotated to k2. The tests run in order, each building on the state the previous one left.
 */
describe('encrypted columns (DB_ENCRYPTION_KEY)', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let sql: Client;
  let t: TestApp | null = null;
  let admin: string;
  const alice = { id: randomUUID(), email: `alice-${randomUUID()}@example.com`, token: '' };
  const bob = { id: randomUUID(), email: `bob-${randomUUID()}@example.com`, token: '' };
  const legacy: Array<{ id: string; email: string }> = [];

  const start = async (env: Record<string, string | undefined>) => {
    await t?.close();
    // Its own cache namespace: the run's other files query the same table names in another database.
    t = await buildTestApp({ env: { DATABASE_URL: scratch.url, REDIS_KEY_PREFIX: `${currentRun().keyPrefix}enc-${randomUUID()}:`, ...env }, background: false });
    return t;
  };
  const app = () => (t as TestApp).app;
  const select = (token: string, body: Record<string, unknown>) =>
    request(app()).post('/api/v1/data/query').set(bearer(token)).send({ database: 'postgresql', query_type: 'select', table: 'users', ...body });
  const stored = async (id: string) => (await sql.query('SELECT email, first_name, email_bidx, updated_at FROM users WHERE id = $1', [id])).rows[0];
  const status = async () => (await request(app()).get('/api/v1/admin/encryption/columns').set(bearer(admin)).expect(200)).body;
  const rewriteEntries = async (activeKeyId: string) =>
    (await sql.query("SELECT * FROM audit_log WHERE action = 'encryption.columns.rewrite' AND details->>'active_key_id' = $1 ORDER BY id", [activeKeyId])).rows as Array<Record<string, any>>;
  const runPass = async () => {
    await request(app()).post('/api/v1/admin/encryption/columns/run').set(bearer(admin)).expect(202);
    return eventually('the pass to complete', async () => {
      const body = await status();
      return body.job.state === 'completed' ? body : undefined;
    });
  };

  beforeAll(async () => {
    scratch = await scratchDatabase();
    sql = new Client({ connectionString: scratch.url });
    await sql.connect();
    [admin, alice.token, bob.token] = await Promise.all([aToken({ role: 'admin' }), aToken({ sub: alice.id }), aToken({ sub: bob.id })]);
  });
  afterAll(async () => {
    await t?.close();
    await sql.end();
    await scratch.drop();
  });

  it('without DB_ENCRYPTION_KEY stores values as sent, and says encryption is off', async () => {
    await start({ DB_ENCRYPTION_KEY: undefined });
    for (let i = 0; i < 5; i++) {
      const row = { id: randomUUID(), email: `legacy-${i}-${randomUUID()}@example.com` };
      await transaction(app(), admin, [insert('users', aUserRow({ ...row, first_name: `Legacy${i}` }))]).expect(200);
      legacy.push(row);
    }
    expect((await stored(legacy[0]!.id)).email).toBe(legacy[0]!.email);
    // The blind index columns the migration added are nobody's to read or write, key or not.
    const read = await select(admin, { filters: { id: legacy[0]!.id }, cache: 'bypass' }).expect(200);
    expect(Object.keys(read.body.data[0]).filter((c) => c.endsWith('_bidx'))).toEqual([]);
    expectStandardError(await select(admin, { filters: { email_bidx: 'x' }, cache: 'bypass' }), 400, 'VALIDATION_ERROR');
    expectStandardError(await transaction(app(), admin, [insert('users', aUserRow({ email_bidx: 'k1:squatted' }))]), 400, 'VALIDATION_ERROR');
    expect(await status()).toEqual({ enabled: false, active_key_id: null, key_ids: [], blind_index_key_id: null, columns: [], job: null });
    expectStandardError(await request(app()).post('/api/v1/admin/encryption/columns/run').set(bearer(admin)), 409, 'CONFLICT');
  });

  it('encrypts the rows stored before the key in the background pass, leaving updated_at as it was', async () => {
    const before = await stored(legacy[0]!.id);
    await start({ DB_ENCRYPTION_KEY: `k1:${K1}` });
    const pending = await status();
    expect(pending).toMatchObject({ enabled: true, active_key_id: 'k1', key_ids: ['k1'], blind_index_key_id: 'k1' });
    expect(pending.columns.find((c: { column: string }) => c.column === 'email')).toMatchObject({ table: 'users', blind_index: 'email_bidx', plaintext_rows: 5, rows_by_key: {} });

    const done = await runPass();
    expect(done.job).toMatchObject({ state: 'completed', total: 5, processed: 5, rewritten: 5, skipped: 0, percent: 100, error: null });
    for (const column of done.columns) expect(column).toMatchObject({ plaintext_rows: 0, stale_blind_indexes: 0 });
    expect(done.columns.find((c: { column: string }) => c.column === 'email').rows_by_key).toEqual({ k1: 5 });
    const after = await stored(legacy[0]!.id);
    expect(after.email).toMatch(/^vbenc1:k1:[A-Za-z0-9_-]+$/);
    expect(after.email).not.toContain('legacy');
    expect(after.first_name).toMatch(/^vbenc1:k1:/);
    expect(after.updated_at).toEqual(before.updated_at);
    // Audited with each batch it committed: the rows' ids and the key ids, never a value.
    const audited = await rewriteEntries('k1');
    expect(audited.flatMap((e) => e.details.row_ids).sort()).toEqual(legacy.map((l) => l.id).sort());
    expect(audited[0]).toMatchObject({ target_type: 'table', target_id: 'users', outcome: 'success', details: { columns: expect.arrayContaining(['email']) } });
    expect(JSON.stringify(audited)).not.toContain(legacy[0]!.email);
    // Read back through the gateway: the values as they were sent.
    const res = await select(admin, { filters: { id: legacy[0]!.id }, cache: 'bypass' }).expect(200);
    expect(res.body.data).toEqual([expect.objectContaining({ id: legacy[0]!.id, email: legacy[0]!.email, first_name: 'Legacy0' })]);
  });

  it('encrypts what a transaction inserts and decrypts it for the caller; PostgreSQL holds no plaintext', async () => {
    const res = await transaction(app(), alice.token, [insert('users', aUserRow({ email: alice.email, first_name: 'Alice', last_name: 'Liddell' }))]).expect(200);
    expect(res.body.results[0].data).toMatchObject({ id: alice.id, email: alice.email, first_name: 'Alice', last_name: 'Liddell' });
    expect(res.body.results[0].data).not.toHaveProperty('email_bidx');
    await transaction(app(), bob.token, [insert('users', aUserRow({ email: bob.email, first_name: 'Bob' }))]).expect(200);

    const raw = await stored(alice.id);
    expect(raw.email).toMatch(/^vbenc1:k1:/);
    expect(raw.email).not.toContain('alice');
    expect(raw.first_name).not.toContain('Alice');
    expect(raw.email_bidx).toMatch(/^k1:[A-Za-z0-9_-]{43}$/);
    const { rows } = await sql.query("SELECT count(*)::int AS n FROM users WHERE email LIKE '%@example.com%' OR first_name = 'Alice'");
    expect(rows[0].n).toBe(0);

    const read = await select(alice.token, { cache: 'bypass' }).expect(200);
    expect(read.body.data).toEqual([expect.objectContaining({ id: alice.id, email: alice.email, first_name: 'Alice', last_name: 'Liddell' })]);
    expect(read.body.data[0]).not.toHaveProperty('email_bidx');
    const contract = await request(app()).get(`/api/v1/contracts/user/${alice.id}`).set(bearer(alice.token)).expect(200);
    expect(contract.body.user).toMatchObject({ id: alice.id, email: alice.email });
    // An update re-encrypts; RETURNING answers plaintext.
    const updated = await transaction(app(), alice.token, [update('users', { id: alice.id }, { first_name: 'Alicia' })]).expect(200);
    expect(updated.body.results[0].data).toEqual([expect.objectContaining({ first_name: 'Alicia', email: alice.email })]);
  });

  it('filters by equality through the blind index (eq, in, neq), in reads and in writes', async () => {
    const eq = await select(admin, { filters: { email: alice.email }, cache: 'bypass' }).expect(200);
    expect(eq.body.data.map((r: { id: string }) => r.id)).toEqual([alice.id]);
    const inList = await select(admin, { filters: { email: { in: [alice.email, bob.email, 'nobody@example.com'] } }, sort: [{ column: 'id' }], cache: 'bypass' }).expect(200);
    expect(inList.body.data.map((r: { id: string }) => r.id).sort()).toEqual([alice.id, bob.id].sort());
    const neq = await select(admin, { filters: { email: { neq: alice.email } }, pagination: { limit: 100 }, cache: 'bypass' }).expect(200);
    expect(neq.body.data.map((r: { id: string }) => r.id)).not.toContain(alice.id);
    expect(neq.body.pagination.total).toBe(6);
    const byName = await select(admin, { filters: { first_name: 'Alicia' }, cache: 'bypass' }).expect(200);
    expect(byName.body.data.map((r: { id: string }) => r.id)).toEqual([alice.id]);
    // A write filtered by email, and an upsert whose conflict target is the email.
    const touched = await transaction(app(), admin, [update('users', { email: bob.email }, { last_name: 'Builder' }, { returning: ['id', 'last_name'] })]).expect(200);
    expect(touched.body.results[0].data).toEqual([{ id: bob.id, last_name: 'Builder' }]);
    const upserted = await transaction(app(), admin, [upsert('users', { email: bob.email, password_hash: 'x', first_name: 'Robert' }, ['email'], { returning: ['id', 'first_name'] })]).expect(200);
    expect(upserted.body.results[0].data).toEqual({ id: bob.id, first_name: 'Robert' });
  });

  it('refuses sorts, ranges and patterns on an encrypted column with 400 naming it', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ sort: [{ column: 'email' }] }, 'sort'],
      [{ filters: { email: { gt: 'a' } } }, 'gt'],
      [{ filters: { last_name: { lte: 'z' } } }, 'lte'],
      [{ filters: { email: { like: '%@example.com' } } }, 'like'],
      [{ filters: { first_name: { ilike: 'ali%' } } }, 'ilike'],
    ];
    for (const [body, operation] of cases) {
      const error = expectStandardError(await select(admin, { ...body, cache: 'bypass' }), 400, 'ENCRYPTED_COLUMN_NOT_SEARCHABLE');
      expect(error.details).toMatchObject({ operation, column: expect.stringMatching(/^users\.(email|first_name|last_name)$/) });
      expect(error.message).toMatch(/encrypted at rest/);
    }
    const write = await transaction(app(), admin, [update('users', { email: { like: '%bob%' } }, { last_name: 'x' })]);
    expect(expectStandardError(write, 400, 'ENCRYPTED_COLUMN_NOT_SEARCHABLE').details).toMatchObject({ column: 'users.email', operation: 'like', status: 'rolled_back' });
    expect((await select(admin, { filters: { id: bob.id }, cache: 'bypass' })).body.data[0].last_name).toBe('Builder');
  });

  it('keeps users.email unique through the blind index: a second user with the same email is a 409', async () => {
    const carol = { id: randomUUID(), token: await aToken({ sub: randomUUID() }) };
    const res = await transaction(app(), carol.token, [insert('users', aUserRow({ id: carol.id, email: alice.email }))]);
    expect(expectStandardError(res, 409, 'CONFLICT').details).toMatchObject({ status: 'rolled_back', failed_operation: 1 });
    expect((await sql.query('SELECT count(*)::int AS n FROM users')).rows[0].n).toBe(7);
  });

  it('caches decrypted pages per caller: a hit answers the same rows, never another caller\'s', async () => {
    const first = await select(alice.token, {}).expect(200);
    const second = await select(alice.token, {}).expect(200);
    expect([first.body.cache, second.body.cache]).toEqual(['miss', 'hit']);
    expect(second.body.data).toEqual(first.body.data);
    expect(second.body.data).toEqual([expect.objectContaining({ id: alice.id, email: alice.email })]);
    const forBob = await select(bob.token, {}).expect(200);
    expect(forBob.body.data).toEqual([expect.objectContaining({ id: bob.id, email: bob.email })]);
    // The same equality filter from two callers: each sees only what they may.
    const probe = await select(bob.token, { filters: { email: alice.email } }).expect(200);
    expect(probe.body.data).toEqual([]);
  });

  it('shows the restricted SQL ciphertext only', async () => {
    const res = await request(app())
      .post('/api/v1/db/query')
      .set(bearer(admin))
      .send({ sql: 'SELECT email, first_name FROM users WHERE id = $1', params: [alice.id] })
      .expect(200);
    const [email, firstName] = res.body.rows[0];
    expect(email).toMatch(/^vbenc1:k1:/);
    expect(firstName).toMatch(/^vbenc1:k1:/);
    const none = await request(app()).post('/api/v1/db/query').set(bearer(admin)).send({ sql: 'SELECT id FROM users WHERE email = $1', params: [alice.email] }).expect(200);
    expect(none.body.rows).toEqual([]);
  });

  it('encrypts and decrypts on a connection lease too, inside its interactive transaction', async () => {
    const acquired = await request(app())
      .post('/api/v1/connections/acquire')
      .set(bearer(alice.token))
      .send({ service_name: 'enc-test', database_type: 'postgresql', operation_type: 'write' })
      .expect(201);
    const connectionId = acquired.body.connection_id;
    try {
      await request(app()).post(`/api/v1/connections/${connectionId}/begin`).set(bearer(alice.token)).expect(200);
      const written = await transaction(app(), alice.token, [update('users', { email: alice.email }, { last_name: 'InLease' }, { returning: ['last_name', 'email'] })], { connection_id: connectionId }).expect(200);
      expect(written.body.results[0].data).toEqual([{ last_name: 'InLease', email: alice.email }]);
      const read = await select(alice.token, { filters: { email: alice.email }, connection_id: connectionId }).expect(200);
      expect(read.body.data).toEqual([expect.objectContaining({ last_name: 'InLease', email: alice.email })]);
      await request(app()).post(`/api/v1/connections/${connectionId}/commit`).set(bearer(alice.token)).expect(200);
    } finally {
      await request(app()).post('/api/v1/connections/release').set(bearer(alice.token)).send({ connection_id: connectionId, service_name: 'enc-test' });
    }
    expect((await stored(alice.id)).email).toMatch(/^vbenc1:k1:/);
    expect((await sql.query('SELECT last_name FROM users WHERE id = $1', [alice.id])).rows[0].last_name).toMatch(/^vbenc1:k1:/);
  });

  it('rotates: with k2 active, the pass re-encrypts every value under k2 with progress; everything stays readable and findable', async () => {
    await start({ DB_ENCRYPTION_KEY: `k1:${K1},k2:${K2}`, DB_ENCRYPTION_ACTIVE_KEY: 'k2' });
    // Before the pass: old values still read (k1 is in the keyring), equality still finds them (the blind index key is k1's).
    expect((await select(admin, { filters: { email: alice.email }, cache: 'bypass' }).expect(200)).body.data[0]).toMatchObject({ id: alice.id, first_name: 'Alicia' });
    const before = await status();
    expect(before).toMatchObject({ active_key_id: 'k2', key_ids: ['k1', 'k2'], blind_index_key_id: 'k1' });
    expect(before.columns.find((c: { column: string }) => c.column === 'email').rows_by_key).toEqual({ k1: 7 });

    const done = await runPass();
    expect(done.job).toMatchObject({ state: 'completed', total: 7, processed: 7, rewritten: 7, percent: 100 });
    // The rotation is in the audit trail, batch by batch, committed with the rewrites.
    expect(new Set((await rewriteEntries('k2')).flatMap((e) => e.details.row_ids)).size).toBe(7);
    for (const column of done.columns) {
      expect(column).toMatchObject({ plaintext_rows: 0, stale_blind_indexes: 0 });
      expect(Object.keys(column.rows_by_key)).toEqual(['k2']);
    }
    expect((await stored(alice.id)).email).toMatch(/^vbenc1:k2:/);
    const read = await select(admin, { filters: { email: { in: [alice.email, legacy[1]!.email] } }, pagination: { limit: 10 }, cache: 'bypass' }).expect(200);
    expect(read.body.data.map((r: { email: string }) => r.email).sort()).toEqual([alice.email, legacy[1]!.email].sort());
    // A second pass finds nothing left to do.
    expect((await runPass()).job).toMatchObject({ total: 0, rewritten: 0 });

    // k1 can now leave the keyring, as long as it stays the blind index key's source... or the pass recomputes the indexes.
    await start({ DB_ENCRYPTION_KEY: `k2:${K2}` });
    const reindexed = await runPass();
    expect(reindexed.job).toMatchObject({ total: 7, rewritten: 7 });
    expect((await select(admin, { filters: { email: alice.email }, cache: 'bypass' }).expect(200)).body.data.map((r: { id: string }) => r.id)).toEqual([alice.id]);
  });

  it('answers 503 ENCRYPTION_KEY_UNAVAILABLE for a value whose key left the keyring, never ciphertext', async () => {
    await start({ DB_ENCRYPTION_KEY: `k3:${K1}` });
    const error = expectStandardError(await select(admin, { filters: { id: alice.id }, cache: 'bypass' }), 503, 'ENCRYPTION_KEY_UNAVAILABLE');
    expect(error.details).toMatchObject({ column: expect.stringMatching(/^users\./), key_id: 'k2' });
    expect(JSON.stringify(error)).not.toContain(K1);
  });
});
