import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import type { EncryptionJobRunner } from '../../src/application/storage/encryption/encryption-job-runner';
import { TOKENS } from '../../src/infrastructure/tokens';
import { eventually } from '../support/eventually';
import { tempMigrationsDir, type TempMigrationsDir } from '../support/migrations-dir';
import { currentRun } from '../support/run-resources';
import { scratchDatabase } from '../support/scratch-database';
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
    expect(forFile[1]!.details).toEqual({ owner: alice.id, fields: ['is_public'] });
    expect(forFile[4]!.details).toMatchObject({ storage_freed_bytes: content.length });
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

/**
 * Migrations (at start and over HTTP) and the file key jobs, on a database of this block's own: the
 * startup run must meet an empty schema, and the jobs walk every file of the database.
 */
describe('audit trail: migrations, key jobs and file changes, on a database of its own', () => {
  const AUDIT_VERSION = '20240130_001';
  const extra = (version: string, table: string) => ({ name: `${version}_audit_probe.sql`, content: `-- description: Audit probe ${table}\nCREATE TABLE ${table} (id INTEGER);\n` });
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  let migrations: TempMigrationsDir;
  let world: Awaited<ReturnType<typeof storageApp>>;
  let sql: Client;
  const adminId = randomUUID();
  let admin: string;
  const byAction = async (action: string) => (await sql.query('SELECT * FROM audit_log WHERE action = $1 ORDER BY id', [action])).rows as Array<Record<string, any>>;

  beforeAll(async () => {
    db = await scratchDatabase();
    migrations = tempMigrationsDir({ extra: [extra('29990101_001', 'audit_probe_at_start')] });
    const key = createHash('sha256').update('audit-events-master-k1').digest('base64');
    // storageApp migrates before it answers, as MIGRATE_ON_START does: outside any request.
    world = await storageApp({ DATABASE_URL: db.url, MIGRATIONS_DIR: migrations.dir, ENCRYPTION_KEYS: `k1:${key}` });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    admin = await aToken({ sub: adminId, role: 'admin' });
  }, 90_000);
  afterAll(async () => {
    await world?.cleanup();
    await sql?.end();
    await db?.drop();
    migrations?.remove();
  });

  it('records each migration applied at start, from the one creating the trail on, as the system, in the migration transaction', async () => {
    const applied = (await sql.query('SELECT version, checksum FROM schema_migrations ORDER BY version')).rows as Array<{ version: string; checksum: string }>;
    const entries = await byAction('migration.apply');
    const expected = applied.filter((m) => m.version >= AUDIT_VERSION);
    expect(entries.map((e) => e.target_id)).toEqual(expected.map((m) => m.version));
    expect(entries.map((e) => e.target_id)).toContain('29990101_001');
    for (const entry of entries) {
      expect(entry).toMatchObject({ target_type: 'migration', outcome: 'success', actor_sub: 'system', actor_role: 'system' });
      expect(entry.details).toMatchObject({ checksum: applied.find((m) => m.version === entry.target_id)!.checksum, run_id: expect.any(String) });
    }
    // One run at start: every entry names it.
    expect(new Set(entries.map((e) => e.details.run_id)).size).toBe(1);
  });

  it('records a migration run over HTTP with the admin as actor; a failed migration leaves no entry (it rolled back)', async () => {
    migrations.write(extra('29990102_001', 'audit_probe_over_http').name, extra('29990102_001', 'audit_probe_over_http').content);
    migrations.write('29990103_001_broken.sql', '-- description: Broken on purpose\nCREATE TABLE audit_probe_broken (id INTEGER);\nSELECT * FROM no_such_table_anywhere;\n');
    const started = await request(world.app).post('/api/v1/migrations/run').set(bearer(admin)).send({}).expect(202);
    const runId = started.body.migration_id as string;
    await eventually('the run finished', async () => {
      const run = await request(world.app).get(`/api/v1/migrations/runs/${runId}`).set(bearer(admin)).expect(200);
      return run.body.status !== 'running' ? run.body : undefined;
    });
    const entries = (await byAction('migration.apply')).filter((e) => e.details.run_id === runId);
    expect(entries.map((e) => e.target_id)).toEqual(['29990102_001']);
    expect(entries[0]).toMatchObject({ actor_sub: adminId, actor_role: 'admin', outcome: 'success' });
    const [request_] = (await byAction('migration.run')).filter((e) => e.target_id === runId);
    expect(request_).toMatchObject({ actor_sub: adminId, outcome: 'success' });
  });

  it('records the start of a key rotation and of encrypt-existing with the job id and counts, never a key', async () => {
    const rotate = await request(world.app).post('/api/v1/admin/encryption/rotate').set(bearer(admin)).expect(202);
    await world.container.get<EncryptionJobRunner>(TOKENS.EncryptionJobRunner).idle();
    const encrypt = await request(world.app).post('/api/v1/admin/encryption/encrypt-existing').set(bearer(admin)).expect(202);
    await world.container.get<EncryptionJobRunner>(TOKENS.EncryptionJobRunner).idle();

    const [rotated] = await byAction('encryption.files.rotate');
    expect(rotated).toMatchObject({ actor_sub: adminId, target_type: 'encryption_job', target_id: rotate.body.id, outcome: 'success' });
    expect(rotated!.details).toMatchObject({ target_key_id: 'k1', total_files: rotate.body.total_files });
    const [encrypted] = await byAction('encryption.files.encrypt_existing');
    expect(encrypted).toMatchObject({ actor_sub: adminId, target_id: encrypt.body.id, outcome: 'success' });
    const key = createHash('sha256').update('audit-events-master-k1').digest('base64');
    expect(JSON.stringify([rotated, encrypted])).not.toContain(key);
  });

  it("writes a file's entry in the transaction of its change: when the entry cannot be written, nothing changed", async () => {
    const owner = randomUUID();
    const token = await aToken({ sub: owner });
    const uploaded = await upload(world.app, token, Buffer.from(`atomic ${randomBytes(64).toString('hex')}`), { name: 'a.txt', type: 'text/plain' }).expect(201);
    const fileId = uploaded.body.file.id as string;
    // The trail refuses this file's update and trash entries (a full disk, a lost connection at COMMIT...).
    await sql.query(`CREATE FUNCTION audit_probe_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit entry refused'; END $$`);
    await sql.query(`CREATE TRIGGER audit_probe_refuse BEFORE INSERT ON audit_log FOR EACH ROW
      WHEN (NEW.target_id = '${fileId}' AND NEW.action IN ('file.update', 'file.trash')) EXECUTE FUNCTION audit_probe_refuse()`);
    try {
      await request(world.app).put(`/api/v1/storage/files/${fileId}`).set(bearer(token)).send({ is_public: true }).expect(500);
      await request(world.app).delete(`/api/v1/storage/files/${fileId}`).set(bearer(token)).expect(500);
    } finally {
      await sql.query('DROP TRIGGER audit_probe_refuse ON audit_log');
      await sql.query('DROP FUNCTION audit_probe_refuse()');
    }
    const row = (await sql.query('SELECT is_public, deleted_at FROM files WHERE id = $1', [fileId])).rows[0];
    expect(row).toEqual({ is_public: false, deleted_at: null });
    // The same requests once the trail takes entries again: each change with its one entry.
    await request(world.app).put(`/api/v1/storage/files/${fileId}`).set(bearer(token)).send({ is_public: true }).expect(200);
    await request(world.app).delete(`/api/v1/storage/files/${fileId}`).set(bearer(token)).expect(200);
    const actions = (await sql.query("SELECT action FROM audit_log WHERE target_id = $1 AND outcome = 'success' ORDER BY id", [fileId])).rows.map((r) => r.action);
    expect(actions).toEqual(['file.create', 'file.update', 'file.trash']);
  });

  it('records the permanent deletion of trash past its 30 days by the purge job, as the system', async () => {
    const owner = randomUUID();
    const content = Buffer.from(`expired ${randomBytes(64).toString('hex')}`);
    const uploaded = await upload(world.app, await aToken({ sub: owner }), content, { name: 'old.txt', type: 'text/plain' }).expect(201);
    const fileId = uploaded.body.file.id as string;
    await sql.query("UPDATE files SET deleted_at = (now() AT TIME ZONE 'UTC') - interval '31 days' WHERE id = $1", [fileId]);
    await world.container.get<{ execute(): Promise<unknown> }>(TOKENS.PurgeExpiredTrash).execute();
    expect((await sql.query('SELECT 1 FROM files WHERE id = $1', [fileId])).rowCount).toBe(0);
    const [purged] = (await byAction('file.delete_permanent')).filter((e) => e.target_id === fileId);
    expect(purged).toMatchObject({ actor_sub: 'system', outcome: 'success', details: { reason: 'trash_expired', owner, storage_freed_bytes: content.length } });
  });

  it('records a refused key rotation by a non-admin as an admin route refusal', async () => {
    const user = randomUUID();
    await request(world.app).post('/api/v1/admin/encryption/rotate').set(bearer(await aToken({ sub: user }))).expect(403);
    const refused = await eventually('the refusal recorded', async () => {
      const rows = (await sql.query("SELECT * FROM audit_log WHERE actor_sub = $1 AND action = 'admin.access_refused'", [user])).rows;
      return rows.length > 0 ? rows : undefined;
    });
    expect(refused[0]).toMatchObject({ target_id: 'POST /api/v1/admin/encryption/rotate', outcome: 'FORBIDDEN' });
    expect(await byAction('encryption.files.rotate')).toHaveLength(1);
  });
});
