import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import type { AuditLog } from '../../src/application/ports/audit-log.port';
import { PurgeAuditLog } from '../../src/application/audit/purge-audit-log';
import type { SealedAuditEntry } from '../../src/domain/audit/audit-entry';
import { TOKENS } from '../../src/infrastructure/tokens';
import { expectStandardError } from '../support/error-body';
import { eventually } from '../support/eventually';
import { RecordingLogger } from '../support/recording-logger';
import { scratchDatabase } from '../support/scratch-database';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';
import { aProjectRow, aUserRow, insert, remove, transaction, update } from '../support/transaction-requests';

/** Issue 11 "Audit trail", over HTTP, on a database of its own (the chain is broken and purged here on purpose). */
describe('audit trail', () => {
  let t: TestApp;
  let sql: Client;
  let drop: () => Promise<void>;
  const alice = { id: randomUUID(), token: '' };
  const bob = { id: randomUUID(), token: '' };
  const adminId = randomUUID();
  let admin: string;

  const audit = (path: string, token = admin) => request(t.app).get(`/api/v1/audit${path}`).set(bearer(token));
  const entriesOf = async (where: string, values: unknown[] = []) =>
    (await sql.query(`SELECT * FROM audit_log WHERE ${where} ORDER BY id`, values)).rows as Array<Record<string, any>>;
  /** Tampers as only the database owner could: with the append-only trigger out of the way. */
  const tamper = async (statement: string, values: unknown[]) => {
    await sql.query('BEGIN');
    await sql.query("SET LOCAL session_replication_role = 'replica'");
    await sql.query(statement, values);
    await sql.query('COMMIT');
  };

  beforeAll(async () => {
    const scratch = await scratchDatabase();
    drop = scratch.drop;
    t = await buildTestApp({ env: { DATABASE_URL: scratch.url }, background: false });
    sql = new Client({ connectionString: scratch.url });
    await sql.connect();
    [alice.token, bob.token, admin] = await Promise.all([aToken({ sub: alice.id }), aToken({ sub: bob.id }), aToken({ role: 'admin', sub: adminId })]);
    for (const user of [alice, bob]) await transaction(t.app, user.token, [insert('users', aUserRow())]).expect(200);
  });
  afterAll(async () => {
    await sql.end();
    await t.close();
    await drop();
  });

  it('lists the audit endpoints in the OpenAPI document', async () => {
    const doc = await request(t.app).get('/api/v1/openapi.json').expect(200);
    for (const path of ['/api/v1/audit', '/api/v1/audit/me', '/api/v1/audit/verify']) expect(doc.body.paths).toHaveProperty([path, 'get']);
    expect(doc.body.paths['/api/v1/audit'].get.security).toEqual([{ bearerAuth: [] }]);
  });

  it('records a committed transaction with its tables, kinds and row ids (never values), in the same transaction', async () => {
    const id = randomUUID();
    const res = await transaction(t.app, alice.token, [
      insert('projects', aProjectRow({ id, title: 'Secret title' }), { returning: ['title'] }),
      update('projects', { id }, { title: 'Another secret' }),
    ])
      .set('User-Agent', 'audit-test/1.0')
      .set('X-Request-ID', 'req-audit-1')
      .expect(200);
    // The key column was added to RETURNING for the entry only: the caller gets what it asked for.
    expect(res.body.results[0].data).toEqual({ title: 'Secret title' });
    const [entry] = await entriesOf('target_id = $1', [res.body.transaction_id]);
    expect(entry).toMatchObject({
      action: 'data.transaction',
      target_type: 'transaction',
      actor_sub: alice.id,
      actor_role: 'user',
      request_id: 'req-audit-1',
      user_agent: 'audit-test/1.0',
      client_ip: expect.stringMatching(/127\.0\.0\.1|::1/),
      outcome: 'success',
    });
    expect(entry!.details.operations).toEqual([
      { operation: 1, database: 'postgresql', table: 'projects', kind: 'insert', row_count: 1, row_ids: [id] },
      { operation: 2, database: 'postgresql', table: 'projects', kind: 'update', row_count: 1, row_ids: [id] },
    ]);
    expect(JSON.stringify(entry)).not.toContain('secret');
  });

  it('records nothing for a rolled-back transaction', async () => {
    const id = randomUUID();
    const res = await transaction(t.app, alice.token, [insert('projects', aProjectRow({ id })), insert('projects', aProjectRow({ id }))]);
    const error = expectStandardError(res, 409, 'CONFLICT');
    expect(error.details.status).toBe('rolled_back');
    expect(await entriesOf('target_id = $1', [error.details.transaction_id])).toEqual([]);
    expect(await entriesOf("details::text LIKE '%' || $1 || '%'", [id])).toEqual([]);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of audit_log from any connection without the retention switch', async () => {
    const [first] = await entriesOf('TRUE');
    await expect(sql.query('UPDATE audit_log SET outcome = $1 WHERE id = $2', ['FORBIDDEN', first!.id])).rejects.toThrow(/append-only/);
    await expect(sql.query('DELETE FROM audit_log WHERE id = $1', [first!.id])).rejects.toThrow(/append-only/);
    await expect(sql.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    await expect(sql.query('UPDATE audit_chain_anchor SET last_seq = 42')).rejects.toThrow(/append-only/);
    // The chainer's one exception: linking an unchained entry. A chained one cannot be relinked.
    expect((await audit('/verify').expect(200)).body.status).toBe('ok');
    await expect(sql.query("UPDATE audit_log SET hash = repeat('f', 64) WHERE id = $1", [first!.id])).rejects.toThrow(/append-only/);
    await expect(sql.query("UPDATE audit_log SET chain_seq = NULL, prev_hash = NULL, hash = NULL WHERE id = $1", [first!.id])).rejects.toThrow(/append-only/);
  });

  it('refuses a link of an unchained entry that changes any other column', async () => {
    const entry = { occurred_at: new Date().toISOString(), actor_sub: 'guard-test', action: 'test.guard', target_type: 'test', outcome: 'success', details: { n: 1 } };
    await sql.query('BEGIN');
    try {
      await sql.query('SELECT audit_append($1::jsonb)', [JSON.stringify([entry])]);
      const { rows } = await sql.query("SELECT id FROM audit_log WHERE action = 'test.guard' AND chain_seq IS NULL");
      const link = "chain_seq = -1, prev_hash = repeat('0', 64), hash = repeat('1', 64)";
      for (const change of ["outcome = 'FORBIDDEN'", "details = '{}'::jsonb", 'actor_sub = NULL', "actor_sub = 'someone'", 'occurred_at = now() - interval \'1 day\'']) {
        await sql.query('SAVEPOINT attempt');
        await expect(sql.query(`UPDATE audit_log SET ${link}, ${change} WHERE id = $1`, [rows[0].id])).rejects.toThrow(/append-only/);
        await sql.query('ROLLBACK TO SAVEPOINT attempt');
      }
      // The link alone is the chainer's one write, let through.
      await expect(sql.query(`UPDATE audit_log SET ${link} WHERE id = $1`, [rows[0].id])).resolves.toMatchObject({ rowCount: 1 });
    } finally {
      await sql.query('ROLLBACK');
    }
  });

  it("compares every column of audit_log but the chain's in the append-only guard", async () => {
    const { rows: columns } = await sql.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'audit_log' AND table_schema = current_schema()");
    const { rows: fn } = await sql.query("SELECT pg_get_functiondef('audit_log_guard'::regproc) AS def");
    const compared = columns.map((c: { column_name: string }) => c.column_name).filter((c: string) => !['chain_seq', 'prev_hash', 'hash'].includes(c));
    expect(compared.length).toBeGreaterThanOrEqual(13);
    for (const column of compared) {
      expect(fn[0].def).toMatch(new RegExp(`NEW\\.${column}\\b`));
      expect(fn[0].def).toMatch(new RegExp(`OLD\\.${column}\\b`));
    }
  });

  it('refuses the restricted SQL role even when it sets the retention switch itself', async () => {
    await sql.query('BEGIN');
    try {
      await sql.query('SET LOCAL ROLE vb_sql_reader');
      await sql.query("SET LOCAL vb.audit_retention = 'on'");
      await expect(sql.query('DELETE FROM audit_log')).rejects.toThrow(/permission denied/);
    } finally {
      await sql.query('ROLLBACK');
    }
  });

  it('refuses UPDATE and DELETE on audit_log through POST /api/v1/db/query and the data API', async () => {
    const count = Number((await sql.query('SELECT count(*) FROM audit_log')).rows[0].count);
    for (const statement of ['DELETE FROM audit_log', "UPDATE audit_log SET outcome = 'x'", 'SELECT * FROM audit_log']) {
      const res = await request(t.app).post('/api/v1/db/query').set(bearer(admin)).send({ sql: statement });
      expect([400, 403]).toContain(res.status);
      expect(res.body.error.code).toMatch(/^SQL_(NOT_ALLOWED|PERMISSION_DENIED)$/);
    }
    const data = await transaction(t.app, admin, [remove('audit_log', { id: '1' })]);
    expect(data.status).toBe(400);
    // The restricted SQL itself is audited (its text), the refusals too; nothing was removed.
    expect(Number((await sql.query('SELECT count(*) FROM audit_log')).rows[0].count)).toBeGreaterThan(count);
    const [restricted] = await entriesOf("action = 'db.query' AND details->>'sql' = 'DELETE FROM audit_log'");
    expect(restricted).toMatchObject({ actor_sub: adminId, outcome: expect.stringMatching(/^SQL_/) });
  });

  it('keeps the chain intact under concurrent transactions from many clients', async () => {
    const callers = await Promise.all(Array.from({ length: 8 }, () => aToken({ sub: randomUUID() })));
    await Promise.all(callers.map((token) => transaction(t.app, token, [insert('users', aUserRow())]).expect(200)));
    const before = Number((await sql.query('SELECT count(*) FROM audit_log')).rows[0].count);
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => transaction(t.app, callers[i % callers.length]!, [insert('projects', aProjectRow())]).expect(200)),
    );
    expect(Number((await sql.query('SELECT count(*) FROM audit_log')).rows[0].count)).toBe(before + 40);
    const verdict = await audit('/verify').expect(200);
    const seqs = (await sql.query('SELECT chain_seq::int AS seq FROM audit_log ORDER BY chain_seq')).rows.map((r) => r.seq as number);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1)); // every entry linked once: no fork, no gap
    expect(verdict.body).toMatchObject({ status: 'ok', checked: seqs.length, unchained: 0, anchor: { chain_seq: '0', hash: '0'.repeat(64) } });
  });

  it('filters and paginates, newest first; bad parameters answer 400', async () => {
    const marker = randomUUID();
    const tokens = await Promise.all([aToken({ sub: marker })]);
    await transaction(t.app, tokens[0]!, [insert('users', aUserRow())]).expect(200);
    const txs: string[] = [];
    for (let i = 0; i < 5; i++) txs.push((await transaction(t.app, tokens[0]!, [insert('projects', aProjectRow())]).expect(200)).body.transaction_id);

    const first = await audit(`?actor=${marker}&limit=2`).expect(200);
    expect(first.body.entries.map((e: any) => e.target.id)).toEqual([txs[4], txs[3]]);
    expect(first.body.pagination).toMatchObject({ limit: 2, page: 1, total: 6, next_cursor: expect.any(String) });
    const second = await audit(`?actor=${marker}&limit=2&cursor=${first.body.pagination.next_cursor}`).expect(200);
    expect(second.body.entries.map((e: any) => e.target.id)).toEqual([txs[2], txs[1]]);
    expect(second.body.pagination.total).toBeNull();
    const third = await audit(`?actor=${marker}&limit=2&page=3`).expect(200);
    expect(third.body.entries.map((e: any) => e.target.id)).toEqual([txs[0], expect.any(String)]); // then the users row's
    expect(third.body.pagination.next_cursor).toBeNull();

    const byTarget = await audit(`?target_id=${txs[2]}`).expect(200);
    expect(byTarget.body.entries).toHaveLength(1);
    expect(byTarget.body.entries[0]).toMatchObject({ action: 'data.transaction', outcome: 'success', actor: { sub: marker, role: 'user', service_name: null } });
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await audit(`?actor=${marker}&from=${future}`).expect(200)).body.entries).toEqual([]);
    expect((await audit(`?actor=${marker}&to=${future}&action=data.transaction&outcome=success`).expect(200)).body.pagination.total).toBe(6);

    for (const bad of ['?limit=0', '?limit=500', '?page=0', '?from=yesterday', '?cursor=abc', '?nope=1', '?from=2026-02-01&to=2026-01-01']) {
      expectStandardError(await audit(bad), 400, 'VALIDATION_ERROR');
    }
  });

  it('shows a caller only their own entries on /audit/me', async () => {
    await transaction(t.app, bob.token, [insert('projects', aProjectRow())]).expect(200);
    const res = await audit('/me?limit=200', bob.token).expect(200);
    expect(res.body.entries.length).toBeGreaterThan(0);
    expect(new Set(res.body.entries.map((e: any) => e.actor.sub))).toEqual(new Set([bob.id]));
    // An actor filter is not for /me: 400, not someone else's entries.
    expectStandardError(await audit(`/me?actor=${alice.id}`, bob.token), 400, 'VALIDATION_ERROR');
  });

  it('records a 403 and a 401 on an admin route, rate-limited per actor', async () => {
    const intruder = randomUUID();
    const token = await aToken({ sub: intruder });
    for (let i = 0; i < 15; i++) expectStandardError(await audit('/verify', token), 403, 'FORBIDDEN');
    // Refusals are recorded off the response path: wait for the tenth, then check no more came.
    await eventually('ten refusals recorded', async () => ((await entriesOf("actor_sub = $1 AND action = 'admin.access_refused'", [intruder])).length >= 10 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await entriesOf("actor_sub = $1 AND action = 'admin.access_refused'", [intruder]);
    expect(refused.length).toBe(10);
    expect(refused[0]).toMatchObject({ outcome: 'FORBIDDEN', target_type: 'route', target_id: 'GET /api/v1/audit/verify', actor_role: 'user' });
    // The tenth refusal's entry says so; recorded off the response path, the ten may commit (and take
    // their ids) in any order, so it is found by its mark, not by its place.
    expect(refused.filter((r) => r.details?.rate_limited === true)).toHaveLength(1);

    expectStandardError(await request(t.app).get('/api/v1/audit').set('User-Agent', 'no-token-probe'), 401, 'UNAUTHORIZED');
    const anonymous = await eventually('the 401 recorded', async () => {
      const rows = await entriesOf("action = 'admin.access_refused' AND user_agent = 'no-token-probe'");
      return rows.length > 0 ? rows : undefined;
    });
    expect(anonymous).toHaveLength(1);
    expect(anonymous[0]).toMatchObject({ actor_sub: null, outcome: 'UNAUTHORIZED' });
  });

  it('names the first broken link when an entry was altered or removed by hand', async () => {
    expect((await audit('/verify').expect(200)).body.status).toBe('ok');
    const [victim] = (await sql.query("SELECT id::text AS id FROM audit_log WHERE action = 'data.transaction' ORDER BY chain_seq DESC LIMIT 1 OFFSET 3")).rows;
    await tamper('UPDATE audit_log SET outcome = $1 WHERE id = $2', ['FORBIDDEN', victim.id]);
    expect((await audit('/verify').expect(200)).body).toMatchObject({ status: 'broken', broken_at: victim.id, reason: 'hash_mismatch' });
    await tamper('UPDATE audit_log SET outcome = $1 WHERE id = $2', ['success', victim.id]);
    expect((await audit('/verify').expect(200)).body.status).toBe('ok');

    // Removing an entry breaks the link of the one after it.
    const row = (await sql.query('SELECT * FROM audit_log WHERE id = $1', [victim.id])).rows[0];
    await tamper('DELETE FROM audit_log WHERE id = $1', [victim.id]);
    const next = (await sql.query('SELECT id::text AS id FROM audit_log WHERE chain_seq > $1 ORDER BY chain_seq LIMIT 1', [row.chain_seq])).rows[0].id;
    expect((await audit('/verify').expect(200)).body).toMatchObject({ status: 'broken', broken_at: next, reason: 'link_mismatch' });
    const columns = Object.keys(row);
    await tamper(`INSERT INTO audit_log (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`, columns.map((c) => row[c]));
    expect((await audit('/verify').expect(200)).body.status).toBe('ok');
  });

  it('purges entries past retention, moves the anchor and records its own entry; verify starts at the anchor', async () => {
    // Two entries from long ago, appended through the chain function as the service would have.
    const old = (days: number): SealedAuditEntry => ({
      occurredAt: new Date(Date.now() - days * 86_400_000),
      actor: { sub: 'old-actor', role: 'user', serviceName: null },
      action: 'data.transaction',
      targetType: 'transaction',
      targetId: `tx_old_${days}`,
      requestId: null,
      clientIp: null,
      userAgent: null,
      outcome: 'success',
      details: {},
    });
    const row = (e: SealedAuditEntry) => ({
      occurred_at: e.occurredAt.toISOString(), actor_sub: e.actor.sub, actor_role: e.actor.role, actor_service: null, action: e.action,
      target_type: e.targetType, target_id: e.targetId, request_id: null, client_ip: null, user_agent: null, outcome: e.outcome, details: {},
    });
    await sql.query('BEGIN');
    await sql.query('SELECT audit_append($1::jsonb)', [JSON.stringify([row(old(400)), row(old(380))])]);
    await sql.query('COMMIT');
    expect((await audit('/verify').expect(200)).body.status).toBe('ok'); // links them, after the rest
    const headBefore = (await sql.query("SELECT chain_seq::text AS seq, hash FROM audit_log WHERE target_id = 'tx_old_380'")).rows[0];
    const total = Number((await sql.query('SELECT count(*) FROM audit_log')).rows[0].count);

    // Retention removes the chain's prefix up to the first entry inside the window. The old entries
    // were appended last, so a 1-day retention purges nothing (the young entries come first)...
    const log = t.container.get<AuditLog>(TOKENS.AuditLog);
    expect(await new PurgeAuditLog(log, { now: () => new Date() }, 1, new RecordingLogger()).execute()).toBe(0);
    // ...while a clock far ahead makes everything past retention: all purged, the anchor at the old head.
    const later = new PurgeAuditLog(log, { now: () => new Date(Date.now() + 3 * 86_400_000) }, 1, new RecordingLogger());
    expect(await later.execute()).toBe(total);

    const remaining = await entriesOf('TRUE');
    expect(remaining).toHaveLength(1);
    expect(remaining[0]).toMatchObject({ action: 'audit.retention_purge', actor_sub: 'system' });
    expect(remaining[0]!.details).toMatchObject({ purged: total, anchor_seq: headBefore.seq, retention_days: 1 });
    expect((await sql.query('SELECT last_seq::text AS seq, last_hash FROM audit_chain_anchor')).rows[0]).toEqual({ seq: headBefore.seq, last_hash: headBefore.hash });
    expect((await audit('/verify').expect(200)).body).toMatchObject({ status: 'ok', checked: 1, anchor: { chain_seq: headBefore.seq, hash: headBefore.hash } });
    expect((await entriesOf('TRUE'))[0]).toMatchObject({ prev_hash: headBefore.hash, chain_seq: String(Number(headBefore.seq) + 1) });
  });
});
