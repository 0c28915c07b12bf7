import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import request from 'supertest';
import type { DatabaseRestorer } from '../../src/application/ports/database-restorer.port';
import { PgRestoreDatabaseRestorer } from '../../src/adapters/postgres/pg-restore-database-restorer';
import { TOKENS } from '../../src/infrastructure/tokens';
import { binaryBody } from '../support/binary-body';
import { expectStandardError } from '../support/error-body';
import { backupsWorld, bytesOf, finished, type BackupsWorld } from '../support/backups-world';
import { currentRun } from '../support/run-resources';
import { SeedRows } from '../support/seed-rows';
import { storageApp, upload } from '../support/storage-world';
import { aToken, bearer } from '../support/tokens';

jest.setTimeout(120_000);

/**
 * The real restorer, with test hooks on restoreOver: `hold` keeps the restore in its maintenance
 * window until released (so writes during it can be tried), `cutArchive` feeds pg_restore all but
 * the end of the archive (so it fails after it has dropped and re-created the tables), and
 * `pauseMidwayMs` stops the feed there for a while (pg_restore holding its locks meanwhile).
 */
class HookedRestorer implements DatabaseRestorer {
  inner: DatabaseRestorer | null = null;
  hold: Promise<void> | null = null;
  cutArchive = false;
  /** Pauses the feed this long once most of the archive is in (pg_restore then holds its locks). */
  pauseMidwayMs = 0;
  midway: () => void = () => undefined;
  entered: () => void = () => undefined;

  private get real(): DatabaseRestorer {
    if (!this.inner) throw new Error('HookedRestorer used before its inner restorer was set');
    return this.inner;
  }
  databaseExists(name: string) {
    return this.real.databaseExists(name);
  }
  createDatabase(name: string) {
    return this.real.createDatabase(name);
  }
  restoreInto(name: string, archive: Readable) {
    return this.real.restoreInto(name, archive);
  }
  rowCounts(name: string) {
    return this.real.rowCounts(name);
  }
  existingFileIds(name: string, ids: string[]) {
    return this.real.existingFileIds(name, ids);
  }
  async restoreOver(name: string, archive: Readable, lockTimeoutMs: number): Promise<void> {
    this.entered();
    if (this.hold) await this.hold;
    if (!this.cutArchive && !this.pauseMidwayMs) return this.real.restoreOver(name, archive, lockTimeoutMs);
    const chunks: Buffer[] = [];
    for await (const chunk of archive) chunks.push(Buffer.from(chunk as Buffer));
    const whole = Buffer.concat(chunks);
    // Inside the last table's data: pg_restore has read its whole TOC (most of a small archive) and
    // has dropped and re-created every table by then, in its transaction.
    const at = whole.length - 64;
    if (this.cutArchive) return this.real.restoreOver(name, Readable.from([whole.subarray(0, at)]), lockTimeoutMs);
    const [pause, midway] = [this.pauseMidwayMs, this.midway];
    async function* slowly() {
      yield whole.subarray(0, at);
      midway();
      await new Promise((resolve) => setTimeout(resolve, pause));
      yield whole.subarray(at);
    }
    return this.real.restoreOver(name, Readable.from(slowly()), lockTimeoutMs);
  }
}

/** Polls the restore until it leaves queued/running (bounded by the test's timeout). */
async function restored(w: BackupsWorld, token: string, id: string): Promise<Record<string, any>> {
  for (;;) {
    const res = await request(w.app).get(`/api/v1/db/restores/${id}`).set(bearer(token)).expect(200);
    if (res.body.status === 'completed' || res.body.status === 'failed') return res.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('database restore in place', () => {
  let w: BackupsWorld;
  let admin: string;
  let user: string;
  const hooked = new HookedRestorer();
  const api = () => request(w.app);
  const idOf = (body: Record<string, any>): string => body.id ?? body.file?.id ?? body.file_id;
  const count = async (table: string) => Number((await w.sql.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
  const fileRow = async (id: string) => (await w.sql.query('SELECT 1 FROM files WHERE id = $1', [id])).rowCount;

  beforeAll(async () => {
    [admin, user] = await Promise.all([aToken({ role: 'admin' }), aToken({ role: 'user' })]);
    // A key prefix of its own: no other test file bumps the generations of this file's cached reads.
    w = await backupsWorld({ REDIS_KEY_PREFIX: `${currentRun().keyPrefix}inplace-${randomBytes(4).toString('hex')}:` }, { [TOKENS.DatabaseRestorer]: hooked });
    hooked.inner = new PgRestoreDatabaseRestorer({ connectionString: w.scratch.url, binDir: undefined, applicationName: 'in-place test' });
  });
  afterAll(async () => {
    await w.close();
  });
  afterEach(() => {
    hooked.hold = null;
    hooked.cutArchive = false;
    hooked.pauseMidwayMs = 0;
    hooked.midway = () => undefined;
  });

  async function uploaded(text: string): Promise<string> {
    return idOf((await upload(w.app, user, Buffer.from(text), { name: 'f.txt', type: 'text/plain' }).expect(201)).body);
  }
  async function aBackup(): Promise<Record<string, any>> {
    const backup = await finished(w.app, admin, (await api().post('/api/v1/db/backup').set(bearer(admin)).send({}).expect(202)).body.id);
    expect(backup.status).toBe('completed');
    return backup;
  }
  const restoreInPlace = (backupId: string, body: object = { target: 'in_place', confirm: backupId }) =>
    api().post(`/api/v1/db/backups/${backupId}/restore`).set(bearer(admin)).send(body);

  it('brings back rows deleted after the backup, removes rows added after it, and a permanently deleted file comes back downloadable', async () => {
    const kept = await uploaded(`kept ${Date.now()}`);
    const content = `deleted for good after the backup ${Date.now()}`;
    const doomed = await uploaded(content);
    const backup = await aBackup();

    expect((await api().delete(`/api/v1/storage/files/${doomed}?permanent=true`).set(bearer(user))).status).toBe(200);
    const later = await uploaded(`after the backup ${Date.now()}`);
    expect(await fileRow(doomed)).toBe(0);
    const before = await count('files');

    const started = await restoreInPlace(backup.id).expect(202);
    expect(started.body).toMatchObject({ backup_id: backup.id, target: 'in_place', status: 'queued' });
    expect(started.headers.location).toBe(`/api/v1/db/restores/${started.body.id}`);
    const done = await restored(w, admin, started.body.id);

    expect(done).toMatchObject({ status: 'completed', error: null, progress: { phase: 'completed', bytes_read: backup.size_bytes } });
    expect(done.report).toMatchObject({ files_in_manifest: backup.files_in_manifest, files_restored: backup.files_in_manifest, files_missing: 0 });
    expect(done.report.row_counts.files).toBe(backup.files_in_manifest);
    expect(done.report.in_place).toMatchObject({ cache_invalidated: true, migrations: { pending: [] } });
    expect(done.report.in_place.row_counts_before.files).toBe(before);
    expect(done.report.in_place.tombstones_revived).toBeGreaterThanOrEqual(1);
    expect(done.report.in_place.migrations.database_latest).toBe(done.report.in_place.migrations.code_latest);

    const pre = (await api().get(`/api/v1/db/backups/${done.report.in_place.pre_restore_backup_id}`).set(bearer(admin)).expect(200)).body;
    expect(pre).toMatchObject({ kind: 'pre_restore', status: 'completed' });
    expect(new Date(pre.completed_at).getTime()).toBeLessThanOrEqual(Date.now());

    expect(await fileRow(kept)).toBe(1);
    expect(await fileRow(doomed)).toBe(1);
    expect(await fileRow(later)).toBe(0);
    expect((await w.sql.query('SELECT 1 FROM db_backup_tombstones WHERE file_id = $1', [doomed])).rowCount).toBe(0);
    const redirect = await api().get(`/api/v1/storage/download/${doomed}`).set(bearer(user)).expect(302);
    const download = await api().get(redirect.headers.location as string).buffer(true).parse(binaryBody).expect(200);
    expect((download.body as Buffer).toString()).toBe(content);
    // The restore's own record survived it (db_restores is not in the archive).
    expect((await api().get(`/api/v1/db/restores/${started.body.id}`).set(bearer(admin)).expect(200)).body.status).toBe('completed');
    // Writes work again at once.
    await uploaded('after the restore');
  });

  it('refuses writes with 503 MAINTENANCE on every instance while it runs, reads go on, and nothing is half-written', async () => {
    await uploaded(`before ${Date.now()}`);
    const backup = await aBackup();
    const victim = await uploaded(`written after the backup ${Date.now()}`);
    let release!: () => void;
    hooked.hold = new Promise<void>((resolve) => (release = resolve));
    const inRestore = new Promise<void>((resolve) => (hooked.entered = resolve));
    const other = await storageApp({ DATABASE_URL: w.scratch.url, DATA_DIR: w.dataDir, BACKUP_WORKERS: '0' }, w.store);
    try {
      const started = await restoreInPlace(backup.id).expect(202);
      await inRestore;
      const filesNow = await count('files');
      const objectsNow = (await w.sql.query('SELECT count(*) AS n FROM upload_sessions')).rows[0].n;

      const refused = [
        await upload(w.app, user, Buffer.from('during the restore'), { name: 'x.txt', type: 'text/plain' }),
        await upload(other.app, user, Buffer.from('during, elsewhere'), { name: 'y.txt', type: 'text/plain' }),
        await api().delete(`/api/v1/storage/files/${victim}?permanent=true`).set(bearer(user)),
        await request(other.app).delete(`/api/v1/storage/files/${victim}`).set(bearer(user)),
        await api().post('/api/v1/db/backup').set(bearer(admin)).send({}),
        await api().post('/api/v1/data/transaction').set(bearer(user)).send({ operations: [] }),
        await api().post('/api/v1/migrations/run').set(bearer(admin)).send({}),
      ];
      for (const res of refused) {
        expectStandardError(res, 503, 'MAINTENANCE');
        expect(res.headers['retry-after']).toMatch(/^\d+$/);
        expect(res.body.error.details.restore_id).toBe(started.body.id);
      }
      // Reads answer, on both instances.
      await api().get('/api/v1/storage/files').set(bearer(user)).expect(200);
      await request(other.app).get('/api/v1/storage/files').set(bearer(user)).expect(200);
      await api().get(`/api/v1/storage/files/${victim}`).set(bearer(user)).expect(200);
      const progress = (await api().get(`/api/v1/db/restores/${started.body.id}`).set(bearer(admin)).expect(200)).body;
      expect(progress).toMatchObject({ status: 'running', progress: { phase: 'restoring' } });
      // A second restore is told why, not MAINTENANCE.
      expectStandardError(await restoreInPlace(backup.id), 409, 'RESTORE_IN_PROGRESS');

      expect(await count('files')).toBe(filesNow);
      expect((await w.sql.query('SELECT count(*) AS n FROM upload_sessions')).rows[0].n).toBe(objectsNow);
      expect(await fileRow(victim)).toBe(1);

      release();
      const done = await restored(w, admin, started.body.id);
      expect(done.status).toBe('completed');
      expect(await fileRow(victim)).toBe(0);
      await uploaded('after the restore, here');
      // The other instance sees the end within its one-second reuse of the answer.
      let after = await upload(other.app, user, Buffer.from('after, elsewhere'), { name: 'z.txt', type: 'text/plain' });
      for (let i = 0; i < 30 && after.status === 503; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        after = await upload(other.app, user, Buffer.from('after, elsewhere'), { name: 'z.txt', type: 'text/plain' });
      }
      expect(after.status).toBe(201);
    } finally {
      release?.();
      hooked.entered = () => undefined;
      await other.cleanup();
      // Never leave the next test inside this one's maintenance window.
      const active = await w.sql.query(`SELECT id FROM db_restores WHERE status IN ('queued', 'running')`);
      for (const row of active.rows) await restored(w, admin, row.id);
    }
  });

  it('while pg_restore holds its locks, a read waits for its commit and answers 200 with the restored rows; a write answers 503 at once', async () => {
    const before = await uploaded(`in the backup ${Date.now()}`);
    const backup = await aBackup();
    const after = await uploaded(`not in the backup ${Date.now()}`);
    hooked.pauseMidwayMs = 3_000;
    const midway = new Promise<void>((resolve) => (hooked.midway = resolve));
    const started = await restoreInPlace(backup.id).expect(202);
    await midway;
    // pg_restore has dropped and re-created files, inside its transaction.
    for (let i = 0; i < 50; i += 1) {
      const locked = await w.sql.query(
        `SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.application_name LIKE '%pg_restore%' AND l.mode = 'AccessExclusiveLock' AND l.relation = to_regclass('files')`,
      );
      if (locked.rowCount) break;
      if (i === 49) throw new Error('pg_restore never held its lock on files');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const reading = api().get('/api/v1/storage/files?limit=100').set(bearer(user));
    const write = await upload(w.app, user, Buffer.from('mid-restore'), { name: 'm.txt', type: 'text/plain' });
    expectStandardError(write, 503, 'MAINTENANCE');
    const read = await reading;
    expect(read.status).toBe(200);
    const ids = JSON.stringify(read.body);
    expect(ids).toContain(before);
    expect(ids).not.toContain(after);
    expect((await restored(w, admin, started.body.id)).status).toBe('completed');
  });

  it('is not blocked by a lease of the service left idle inside a transaction that holds a lock', async () => {
    const backup = await aBackup();
    const lease = (
      await api().post('/api/v1/connections/acquire').set(bearer(user)).send({ service_name: 'restore-test', database_type: 'postgresql', operation_type: 'read' }).expect(201)
    ).body.connection_id as string;
    await api().post(`/api/v1/connections/${lease}/begin`).set(bearer(user)).expect(200);
    await api()
      .post('/api/v1/data/query')
      .set(bearer(user))
      .send({ database: 'postgresql', query_type: 'select', table: 'projects', connection_id: lease })
      .expect(200);
    const holding = await w.sql.query(
      `SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.relation = 'projects'::regclass AND a.state = 'idle in transaction'`,
    );
    expect(holding.rowCount).toBeGreaterThan(0);

    const started = await restoreInPlace(backup.id).expect(202);
    const done = await restored(w, admin, started.body.id);
    expect(done).toMatchObject({ status: 'completed', error: null });
    await api().post('/api/v1/connections/release').set(bearer(user)).send({ connection_id: lease, service_name: 'restore-test' });
  });

  it('makes every cached read unreachable: a read cached before the restore answers the restored rows after it', async () => {
    const seed = await SeedRows.connect(w.scratch.url);
    try {
      const owner = await seed.user();
      const token = await aToken({ sub: owner.id as string });
      await seed.project(owner.id as string, { title: 'in the backup' });
      const backup = await aBackup();
      await seed.project(owner.id as string, { title: 'after the backup' });
      const select = () =>
        api().post('/api/v1/data/query').set(bearer(token)).send({ database: 'postgresql', query_type: 'select', table: 'projects', sort: [{ column: 'title' }] }).expect(200);
      const titles = (res: request.Response) => res.body.data.map((row: { title: string }) => row.title);
      // The cache starts off and comes on within a second: read until the answer is a hit.
      let cached = await select();
      for (let i = 0; i < 30 && cached.body.cache !== 'hit'; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        cached = await select();
      }
      expect(cached.body.cache).toBe('hit');
      expect(titles(cached)).toEqual(['after the backup', 'in the backup']);

      const done = await restored(w, admin, (await restoreInPlace(backup.id).expect(202)).body.id);
      expect(done.report.in_place.cache_invalidated).toBe(true);
      const after = await select();
      expect(after.body.cache).not.toBe('hit');
      expect(titles(after)).toEqual(['in the backup']);
    } finally {
      await seed.close();
    }
  });

  it('refuses a missing or wrong confirm with 400 RESTORE_NOT_CONFIRMED, touching nothing', async () => {
    const backup = await aBackup();
    const [restores, backups] = [await count('db_restores'), await count('db_backups')];
    expectStandardError(await restoreInPlace(backup.id, { target: 'in_place' }), 400, 'RESTORE_NOT_CONFIRMED');
    expectStandardError(await restoreInPlace(backup.id, { target: 'in_place', confirm: 'yes' }), 400, 'RESTORE_NOT_CONFIRMED');
    expectStandardError(await restoreInPlace(backup.id, { target: 'in_place', confirm: '00000000-0000-4000-8000-000000000000' }), 400, 'RESTORE_NOT_CONFIRMED');
    expectStandardError(await restoreInPlace(backup.id, { target: 'in_place', confirm: backup.id, database_name: 'x' }), 400, 'VALIDATION_ERROR');
    expect([await count('db_restores'), await count('db_backups')]).toEqual([restores, backups]);
    await uploaded('writes still go on');
  });

  it('refuses a backup from a newer schema with 409 BACKUP_SCHEMA_NEWER, and a tampered archive with 422, before anything is touched', async () => {
    const newer = await aBackup();
    await w.sql.query(`UPDATE db_backups SET migration_version = '29991231_001' WHERE id = $1`, [newer.id]);
    const tampered = await aBackup();
    const stored = await bytesOf(w.archives, tampered.storage.key);
    stored[stored.length - 40]! ^= 0x01;
    await w.archives.put(tampered.storage.key, Readable.from([stored]), { contentType: 'application/octet-stream' });
    const [restores, backups] = [await count('db_restores'), await count('db_backups')];

    const res = await restoreInPlace(newer.id);
    expectStandardError(res, 409, 'BACKUP_SCHEMA_NEWER');
    expect(res.body.error.details).toMatchObject({ backup_migration_version: '29991231_001' });
    expectStandardError(await restoreInPlace(tampered.id), 422, 'BACKUP_CORRUPT');
    expect([await count('db_restores'), await count('db_backups')]).toEqual([restores, backups]);
  });

  it('a pg_restore that fails midway leaves the database as it was, says why, and ends the maintenance window', async () => {
    await uploaded(`before ${Date.now()}`);
    const backup = await aBackup();
    const later = await uploaded(`after the backup ${Date.now()}`);
    const before = await count('files');
    hooked.cutArchive = true;
    const started = await restoreInPlace(backup.id).expect(202);
    const done = await restored(w, admin, started.body.id);
    expect(done).toMatchObject({ status: 'failed', report: null, progress: { phase: 'failed' } });
    expect(done.error).toMatch(/pg_restore/);
    expect(await count('files')).toBe(before);
    expect(await fileRow(later)).toBe(1);
    await uploaded('maintenance is over');
    // The pre-restore backup was taken and kept.
    expect((await w.sql.query(`SELECT status FROM db_backups WHERE kind = 'pre_restore' ORDER BY started_at DESC LIMIT 1`)).rows[0].status).toBe('completed');
  });
});
