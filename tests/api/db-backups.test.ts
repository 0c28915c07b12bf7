import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import request from 'supertest';
import { expectStandardError } from '../support/error-body';
import { backupsWorld, bytesOf, finished, run, type BackupsWorld } from '../support/backups-world';
import { binaryBody } from '../support/binary-body';
import { upload } from '../support/storage-world';
import { aToken, bearer } from '../support/tokens';

jest.setTimeout(60_000);

describe('database backups API', () => {
  let w: BackupsWorld;
  let admin: string;
  let user: string;
  const api = () => request(w.app);

  beforeAll(async () => {
    [admin, user] = await Promise.all([aToken({ role: 'admin' }), aToken({ role: 'user' })]);
    w = await backupsWorld();
  });
  afterAll(() => w.close());

  it('takes an encrypted backup whose download is a pg_dump archive with the recorded sha256', async () => {
    const file = (await upload(w.app, user, Buffer.from('kept by the backup'), { name: 'a.txt', type: 'text/plain' }).expect(201)).body;
    expect(file).toBeDefined();

    const started = await api().post('/api/v1/db/backup').set(bearer(admin)).send({ label: 'first' }).expect(202);
    expect(started.body).toMatchObject({ label: 'first', kind: 'manual', status: 'queued', progress: { phase: 'queued', bytes_written: 0 } });
    expect(started.headers.location).toBe(`/api/v1/db/backups/${started.body.id}`);

    const done = await finished(w.app, admin, started.body.id);
    expect(done).toMatchObject({
      status: 'completed',
      encrypted: true,
      files_in_manifest: 1,
      error: null,
      storage: { provider: 'local_disk', key: `backups/db/${started.body.id}.pgdump.vbk` },
      progress: { phase: 'completed' },
    });
    expect(done.server_version).toMatch(/^\d+/);
    expect(done.migration_version).toMatch(/^\d{8}_\d{3}$/);
    expect(done.progress.tables_total).toBeGreaterThan(5);
    expect(done.progress.tables_done).toBe(done.progress.tables_total);
    expect(done.progress.bytes_written).toBe(done.size_bytes);
    expect(done.duration_ms).toBeGreaterThanOrEqual(0);
    expect(done.expires_at).not.toBeNull();

    // At rest: nothing of pg_dump's plaintext (its header starts with PGDMP).
    const stored = await bytesOf(w.archives, done.storage.key);
    expect(stored.includes(Buffer.from('PGDMP'))).toBe(false);
    expect(stored.length).toBeGreaterThan(done.size_bytes);

    const download = await api().get(`/api/v1/db/backups/${done.id}/download`).set(bearer(admin)).buffer(true).parse(binaryBody).expect(200);
    expect(download.headers['content-type']).toBe('application/octet-stream');
    expect(download.headers['content-disposition']).toMatch(/^attachment; filename="backup-\d{8}T\d{6}Z-[0-9a-f-]{36}\.dump"$/);
    const archive = download.body as Buffer;
    expect(archive.subarray(0, 5).toString('latin1')).toBe('PGDMP');
    expect(archive.length).toBe(done.size_bytes);
    expect(createHash('sha256').update(archive).digest('hex')).toBe(done.sha256);

    const file2 = path.join(w.dataDir, 'download.dump');
    await fs.writeFile(file2, archive);
    const listing = (await run('pg_restore', ['--list', file2])).stdout;
    expect(listing).toMatch(/TABLE DATA public files/);
    // The bookkeeping and the queue are left out: an in-place restore must not overwrite them.
    expect(listing).not.toMatch(/db_backups|db_backup_files|db_backup_tombstones|pgboss/);

    const list = await api().get('/api/v1/db/backups').set(bearer(admin)).expect(200);
    expect(list.body.pagination).toEqual({ page: 1, limit: 20, total: 1, pages: 1 });
    // Schedule and retention as configured (the defaults here): what the console's Backups page shows.
    expect(list.body.policy).toEqual({ schedule: null, retention_days: 30, keep_min: 3, max_age_hours: 26 });
    expect(list.body.backups[0]).toMatchObject({ id: done.id, status: 'completed' });
  });

  it('runs one backup at a time (409 BACKUP_IN_PROGRESS)', async () => {
    const [a, b] = await Promise.all([
      api().post('/api/v1/db/backup').set(bearer(admin)).send({}),
      api().post('/api/v1/db/backup').set(bearer(admin)).send({}),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([202, 409]);
    const refused = a.status === 409 ? a : b;
    const accepted = a.status === 202 ? a : b;
    expectStandardError(refused, 409, 'BACKUP_IN_PROGRESS');
    expect(refused.body.error.details.backup_id).toBe(accepted.body.id);
    // Deleting it while it runs is refused too.
    const del = await api().delete(`/api/v1/db/backups/${accepted.body.id}`).set(bearer(admin));
    if (del.status !== 204) expectStandardError(del, 409, 'BACKUP_IN_PROGRESS');
    else return; // it had already finished: nothing left to assert about a running one
    expect((await finished(w.app, admin, accepted.body.id)).status).toBe('completed');
  });

  it('keeps the object of a deleted file while a backup lists it, and releases it with the backup', async () => {
    const content = Buffer.from(`listed by a backup ${Date.now()}`);
    const file = (await upload(w.app, user, content, { name: 'b.txt', type: 'text/plain' }).expect(201)).body;
    const fileId: string = file.id ?? file.file?.id ?? file.file_id;
    const key = (await w.sql.query('SELECT file_path FROM files WHERE id = $1', [fileId])).rows[0].file_path as string;
    const backup = await finished(w.app, admin, (await api().post('/api/v1/db/backup').set(bearer(admin)).send({}).expect(202)).body.id);
    expect(backup.status).toBe('completed');
    expect((await w.sql.query('SELECT 1 FROM db_backup_files WHERE backup_id = $1 AND file_id = $2', [backup.id, fileId])).rowCount).toBe(1);

    await api().delete(`/api/v1/storage/files/${fileId}?permanent=true`).set(bearer(user)).expect(200);
    expect((await w.sql.query('SELECT 1 FROM files WHERE id = $1', [fileId])).rowCount).toBe(0);
    expect(await w.store.head(key)).not.toBeNull();
    expect((await w.sql.query('SELECT 1 FROM db_backup_tombstones WHERE file_path = $1', [key])).rowCount).toBe(1);

    // Every other kept backup that lists it goes too; then its object is released.
    const holders = (await w.sql.query('SELECT DISTINCT backup_id FROM db_backup_files WHERE file_path = $1', [key])).rows.map((r) => r.backup_id as string);
    for (const id of holders) await api().delete(`/api/v1/db/backups/${id}`).set(bearer(admin)).expect(204);
    expect(await w.store.head(key)).toBeNull();
    expect((await w.sql.query('SELECT 1 FROM db_backup_tombstones WHERE file_path = $1', [key])).rowCount).toBe(0);
    expect(await w.archives.head(backup.storage.key)).toBeNull();
    expectStandardError(await api().get(`/api/v1/db/backups/${backup.id}`).set(bearer(admin)), 404, 'BACKUP_NOT_FOUND');
  });

  it('is for admins only: 403 for a user token, 401 without one', async () => {
    expectStandardError(await api().post('/api/v1/db/backup').set(bearer(user)).send({}), 403, 'FORBIDDEN');
    expectStandardError(await api().get('/api/v1/db/backups').set(bearer(user)), 403, 'FORBIDDEN');
    expectStandardError(await api().post('/api/v1/db/backup').send({}), 401, 'UNAUTHORIZED');
    expectStandardError(await api().get('/api/v1/db/backups/x/download'), 401, 'UNAUTHORIZED');
  });

  it('refuses bad input with 400 and unknown ids with 404', async () => {
    expectStandardError(await api().post('/api/v1/db/backup').set(bearer(admin)).send({ label: 42 }), 400, 'VALIDATION_ERROR');
    expectStandardError(await api().post('/api/v1/db/backup').set(bearer(admin)).send({ extra: true }), 400, 'VALIDATION_ERROR');
    expectStandardError(await api().get('/api/v1/db/backups?limit=0').set(bearer(admin)), 400, 'VALIDATION_ERROR');
    expectStandardError(await api().get('/api/v1/db/backups/not-a-uuid').set(bearer(admin)), 404, 'BACKUP_NOT_FOUND');
    expectStandardError(await api().delete('/api/v1/db/backups/00000000-0000-4000-8000-000000000000').set(bearer(admin)), 404, 'BACKUP_NOT_FOUND');
  });

  it('cuts the download of a tampered archive before its end', async () => {
    const backup = await finished(w.app, admin, (await api().post('/api/v1/db/backup').set(bearer(admin)).send({}).expect(202)).body.id);
    const stored = await bytesOf(w.archives, backup.storage.key);
    stored[stored.length - 40]! ^= 0x01;
    await w.archives.put(backup.storage.key, Readable.from([stored]), { contentType: 'application/octet-stream' });
    const received = await new Promise<{ error: boolean; bytes: number }>((resolve) => {
      const chunks: Buffer[] = [];
      api()
        .get(`/api/v1/db/backups/${backup.id}/download`)
        .set(bearer(admin))
        .buffer(true)
        .parse((res, done) => {
          let settled = false;
          const once = (error: Error | null) => {
            if (settled) return;
            settled = true;
            done(error, Buffer.concat(chunks));
          };
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => once(null));
          res.on('error', (e: Error) => once(e));
          res.on('aborted', () => once(new Error('aborted')));
        })
        .end((err) => resolve({ error: Boolean(err), bytes: chunks.reduce((n, c) => n + c.length, 0) }));
    });
    expect(received.error).toBe(true);
    expect(received.bytes).toBeLessThan(backup.size_bytes);
  });

  it('reports the backups check on /health', async () => {
    const res = await api().get('/health').expect(200);
    expect(res.body.checks.backups).toMatchObject({ status: 'UP', tool_available: true, scheduled: false });
  });
});
