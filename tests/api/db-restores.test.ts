import { Readable } from 'node:stream';
import { Client } from 'pg';
import request from 'supertest';
import { expectStandardError } from '../support/error-body';
import { backupsWorld, bytesOf, finished, type BackupsWorld } from '../support/backups-world';
import { upload } from '../support/storage-world';
import { aToken, bearer } from '../support/tokens';

jest.setTimeout(60_000);

/** Polls the restore until it leaves queued/running (bounded by the test's timeout). */
async function restored(w: BackupsWorld, token: string, id: string): Promise<Record<string, any>> {
  for (;;) {
    const res = await request(w.app).get(`/api/v1/db/restores/${id}`).set(bearer(token)).expect(200);
    if (res.body.status === 'completed' || res.body.status === 'failed') return res.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('database restore into a new database', () => {
  let w: BackupsWorld;
  let admin: string;
  let user: string;
  const created: string[] = [];
  const api = () => request(w.app);
  const uniqueName = () => `vb_restore_${process.pid}_${Date.now()}_${created.length}`;

  beforeAll(async () => {
    [admin, user] = await Promise.all([aToken({ role: 'admin' }), aToken({ role: 'user' })]);
    w = await backupsWorld();
  });
  afterAll(async () => {
    for (const name of created) await w.sql.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await w.close();
  });

  async function backupWithOneFile(): Promise<{ backup: Record<string, any>; fileId: string }> {
    const file = (await upload(w.app, user, Buffer.from(`restored ${Date.now()}`), { name: 'r.txt', type: 'text/plain' }).expect(201)).body;
    const fileId: string = file.id ?? file.file?.id ?? file.file_id;
    const backup = await finished(w.app, admin, (await api().post('/api/v1/db/backup').set(bearer(admin)).send({}).expect(202)).body.id);
    expect(backup.status).toBe('completed');
    return { backup, fileId };
  }

  it('restores into a new database with its rows, the live one untouched, and reports the manifest', async () => {
    const { backup, fileId } = await backupWithOneFile();
    // Written after the backup: in the live database only.
    const later = (await upload(w.app, user, Buffer.from('after the backup'), { name: 'later.txt', type: 'text/plain' }).expect(201)).body;
    const laterId: string = later.id ?? later.file?.id ?? later.file_id;
    const liveFilesBefore = Number((await w.sql.query('SELECT count(*) AS n FROM files')).rows[0].n);

    const name = uniqueName();
    created.push(name);
    const started = await api().post(`/api/v1/db/backups/${backup.id}/restore`).set(bearer(admin)).send({ target: 'new_database', database_name: name }).expect(202);
    expect(started.body).toMatchObject({ backup_id: backup.id, target: 'new_database', database_name: name, status: 'queued', report: null });
    expect(started.headers.location).toBe(`/api/v1/db/restores/${started.body.id}`);

    const done = await restored(w, admin, started.body.id);
    expect(done).toMatchObject({ status: 'completed', error: null, progress: { phase: 'completed' } });
    expect(done.progress.bytes_read).toBe(backup.size_bytes);
    expect(done.report).toMatchObject({ files_in_manifest: backup.files_in_manifest, files_restored: backup.files_in_manifest, files_missing: 0 });
    expect(done.report.row_counts.files).toBe(backup.files_in_manifest);
    expect(done.report.row_counts).not.toHaveProperty('db_backups');

    const copy = new Client({ connectionString: w.scratch.url.replace(/\/[^/?]+(\?|$)/, `/${name}$1`) });
    await copy.connect();
    try {
      expect((await copy.query('SELECT 1 FROM files WHERE id = $1', [fileId])).rowCount).toBe(1);
      expect((await copy.query('SELECT 1 FROM files WHERE id = $1', [laterId])).rowCount).toBe(0);
    } finally {
      await copy.end();
    }
    expect(Number((await w.sql.query('SELECT count(*) AS n FROM files')).rows[0].n)).toBe(liveFilesBefore);
    expect((await w.sql.query('SELECT 1 FROM files WHERE id = $1', [laterId])).rowCount).toBe(1);

    // The same name again: it exists now, never overwritten.
    expectStandardError(
      await api().post(`/api/v1/db/backups/${backup.id}/restore`).set(bearer(admin)).send({ target: 'new_database', database_name: name }),
      409,
      'RESTORE_TARGET_EXISTS',
    );
  });

  it('refuses a tampered archive with 422 BACKUP_CORRUPT and creates nothing', async () => {
    const { backup } = await backupWithOneFile();
    const stored = await bytesOf(w.archives, backup.storage.key);
    stored[stored.length - 40]! ^= 0x01;
    await w.archives.put(backup.storage.key, Readable.from([stored]), { contentType: 'application/octet-stream' });
    const name = uniqueName();
    created.push(name);
    const res = await api().post(`/api/v1/db/backups/${backup.id}/restore`).set(bearer(admin)).send({ target: 'new_database', database_name: name });
    expectStandardError(res, 422, 'BACKUP_CORRUPT');
    expect((await w.sql.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount).toBe(0);
    expect((await w.sql.query('SELECT 1 FROM db_restores WHERE database_name = $1', [name])).rowCount).toBe(0);
  });

  it('runs one restore at a time (409 RESTORE_IN_PROGRESS)', async () => {
    const { backup } = await backupWithOneFile();
    const [a, b] = [uniqueName(), `${uniqueName()}_b`];
    created.push(a, b);
    const first = await api().post(`/api/v1/db/backups/${backup.id}/restore`).set(bearer(admin)).send({ target: 'new_database', database_name: a }).expect(202);
    const second = await api().post(`/api/v1/db/backups/${backup.id}/restore`).set(bearer(admin)).send({ target: 'new_database', database_name: b });
    const firstNow = (await api().get(`/api/v1/db/restores/${first.body.id}`).set(bearer(admin)).expect(200)).body;
    if (second.status === 202) {
      // Only possible when the first had already finished: nothing to assert about a running one.
      expect(firstNow.status).toMatch(/completed|failed/);
      await restored(w, admin, second.body.id);
    } else {
      expectStandardError(second, 409, 'RESTORE_IN_PROGRESS');
      expect(second.body.error.details.restore_id).toBe(first.body.id);
      expect((await w.sql.query('SELECT 1 FROM pg_database WHERE datname = $1', [b])).rowCount).toBe(0);
    }
    expect((await restored(w, admin, first.body.id)).status).toBe('completed');
  });

  it('refuses bad input with 400, unknown ids with 404, and non-admins with 403/401', async () => {
    const { backup } = await backupWithOneFile();
    const restore = (body: object) => api().post(`/api/v1/db/backups/${backup.id}/restore`).set(bearer(admin)).send(body);
    expectStandardError(await restore({ target: 'new_database', database_name: 'Bad-Name; DROP' }), 400, 'VALIDATION_ERROR');
    expectStandardError(await restore({ target: 'new_database', database_name: 'x'.repeat(64) }), 400, 'VALIDATION_ERROR');
    expectStandardError(await restore({ target: 'new_database' }), 400, 'VALIDATION_ERROR');
    expectStandardError(await restore({ target: 'elsewhere', database_name: 'ok_name' }), 400, 'VALIDATION_ERROR');
    expectStandardError(
      await api().post('/api/v1/db/backups/00000000-0000-4000-8000-000000000000/restore').set(bearer(admin)).send({ target: 'new_database', database_name: 'never_made' }),
      404,
      'BACKUP_NOT_FOUND',
    );
    expectStandardError(await api().get('/api/v1/db/restores/00000000-0000-4000-8000-000000000000').set(bearer(admin)), 404, 'RESTORE_NOT_FOUND');
    expectStandardError(await api().post(`/api/v1/db/backups/${backup.id}/restore`).set(bearer(user)).send({ target: 'new_database', database_name: 'never_made' }), 403, 'FORBIDDEN');
    expectStandardError(await api().get('/api/v1/db/restores/x').set(bearer(user)), 403, 'FORBIDDEN');
    expectStandardError(await api().post(`/api/v1/db/backups/${backup.id}/restore`).send({}), 401, 'UNAUTHORIZED');
  });
});
