import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import request from 'supertest';
import type { ObjectStore } from '../../src/application/ports/object-store.port';
import type { ApplyBackupRetention } from '../../src/application/database/backups/apply-backup-retention';
import { LocalDiskObjectStore } from '../../src/adapters/object-store/local-disk-object-store';
import { TOKENS } from '../../src/infrastructure/tokens';
import { expectStandardError } from '../support/error-body';
import { backupsWorld, finished, type BackupsWorld } from '../support/backups-world';
import { aToken, bearer } from '../support/tokens';

jest.setTimeout(60_000);

/** A disk store whose writes fail once `limit` bytes have gone in: the provider going down mid-upload. */
function failingAfter(store: ObjectStore, limit: number): ObjectStore & { keysPut: string[] } {
  const keysPut: string[] = [];
  return Object.assign(Object.create(store) as ObjectStore, {
    keysPut,
    provider: store.provider,
    put(key: string, body: Readable, options: { contentType: string }) {
      keysPut.push(key);
      let seen = 0;
      const cut = new Transform({
        transform(chunk: Buffer, _e, done) {
          seen += chunk.length;
          if (seen > limit) return done(new Error('object store unreachable'));
          done(null, chunk);
        },
      });
      body.on('error', (e) => cut.destroy(e));
      return store.put(key, body.pipe(cut), options);
    },
  });
}

describe('database backups: failures, tools and retention', () => {
  let admin: string;
  const worlds: BackupsWorld[] = [];
  const open = async (...args: Parameters<typeof backupsWorld>) => {
    const w = await backupsWorld(...args);
    worlds.push(w);
    return w;
  };

  beforeAll(async () => {
    admin = await aToken({ role: 'admin' });
  });
  afterEach(async () => {
    while (worlds.length) await worlds.pop()!.close();
  });

  it('fails when the object store goes down mid-backup: no object, no completed row', async () => {
    const root = await fs.mkdtemp(path.join(require('node:os').tmpdir(), 'vb-archives-'));
    const disk = new LocalDiskObjectStore(root);
    await disk.ensureReady();
    const failing = failingAfter(disk, 4_096);
    const w = await open({}, { [TOKENS.BackupArchiveStore]: failing });
    const started = await request(w.app).post('/api/v1/db/backup').set(bearer(admin)).send({}).expect(202);
    const done = await finished(w.app, admin, started.body.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/object store unreachable/);
    expect(done.completed_at).not.toBeNull();
    expect(failing.keysPut).toEqual([done.storage.key]);
    expect(await disk.head(done.storage.key)).toBeNull();
    expect((await w.sql.query(`SELECT 1 FROM db_backups WHERE status = 'completed'`)).rowCount).toBe(0);
    expect((await w.sql.query('SELECT 1 FROM db_backup_files WHERE backup_id = $1', [done.id])).rowCount).toBe(0);
    // The failure released the one-at-a-time slot.
    await request(w.app).post('/api/v1/db/backup').set(bearer(admin)).send({}).expect(202);
    await fs.rm(root, { recursive: true, force: true });
  });

  it('fails when pg_dump dies mid-way', async () => {
    const bin = await fs.mkdtemp(path.join(require('node:os').tmpdir(), 'vb-pgbin-'));
    // Passes --version through; otherwise lets some of the archive out, then dies by SIGKILL.
    await fs.writeFile(
      path.join(bin, 'pg_dump'),
      '#!/bin/sh\nif [ "$1" = "--version" ]; then exec /usr/bin/pg_dump --version; fi\n/usr/bin/pg_dump "$@" | head -c 3000\nkill -9 $$\n',
      { mode: 0o755 },
    );
    await fs.symlink('/usr/bin/pg_restore', path.join(bin, 'pg_restore'));
    const w = await open({ PG_BIN_DIR: bin });
    const started = await request(w.app).post('/api/v1/db/backup').set(bearer(admin)).send({}).expect(202);
    const done = await finished(w.app, admin, started.body.id);
    expect(done).toMatchObject({ status: 'failed', sha256: null, size_bytes: null });
    expect(done.error).toMatch(/pg_dump was killed by SIGKILL/);
    expect(await w.archives.head(done.storage.key)).toBeNull();
    await fs.rm(bin, { recursive: true, force: true });
  });

  it('answers 503 BACKUP_TOOL_UNAVAILABLE naming the package when pg_dump is missing, and /health says so', async () => {
    const empty = await fs.mkdtemp(path.join(require('node:os').tmpdir(), 'vb-nobin-'));
    const w = await open({ PG_BIN_DIR: empty });
    const res = await request(w.app).post('/api/v1/db/backup').set(bearer(admin)).send({});
    const error = expectStandardError(res, 503, 'BACKUP_TOOL_UNAVAILABLE');
    expect(error.details).toMatchObject({ package: 'postgresql-client-15', server_major_version: 15 });
    expect(error.message).toMatch(/pg_dump and pg_restore not found in PG_BIN_DIR/);
    expect((await w.sql.query('SELECT 1 FROM db_backups')).rowCount).toBe(0);
    const health = await request(w.app).get('/health');
    expect(health.body.checks.backups).toMatchObject({ status: 'DOWN', tool_available: false, package: 'postgresql-client-15' });
    // The others still answer: they need no tool.
    await request(w.app).get('/api/v1/db/backups').set(bearer(admin)).expect(200);
    await fs.rm(empty, { recursive: true, force: true });
  });

  it('registers BACKUP_SCHEDULE with pg-boss (one schedule for every instance), and /health fails until a backup completes', async () => {
    const w = await open({ BACKUP_SCHEDULE: '0 3 * * *' });
    const schedules = await w.sql.query(`SELECT name, cron, data FROM pgboss.schedule`);
    expect(schedules.rows).toEqual([{ name: 'database-backup', cron: '0 3 * * *', data: { scheduled: true } }]);
    const health = await request(w.app).get('/health');
    expect(health.body.checks.backups).toMatchObject({ status: 'DOWN', scheduled: true, last_backup_at: null });
    const done = await finished(w.app, admin, (await request(w.app).post('/api/v1/db/backup').set(bearer(admin)).send({}).expect(202)).body.id);
    expect(done.status).toBe('completed');
    expect((await request(w.app).get('/health')).body.checks.backups).toMatchObject({ status: 'UP', last_backup_id: done.id });
  });

  it('retention removes expired archives only, always keeping BACKUP_KEEP_MIN completed ones', async () => {
    const w = await open({ BACKUP_KEEP_MIN: '1', BACKUP_WORKERS: '0' });
    const day = 86_400_000;
    const now = Date.now();
    const rows = [
      { id: 'a0000000-0000-4000-8000-000000000001', completed: now - 40 * day, expires: now - 10 * day }, // expired
      { id: 'a0000000-0000-4000-8000-000000000002', completed: now - 35 * day, expires: now - 5 * day }, // expired
      { id: 'a0000000-0000-4000-8000-000000000003', completed: now - 31 * day, expires: now - 1 * day }, // expired, but the newest: kept
    ];
    for (const row of rows) {
      const key = `backups/db/${row.id}.pgdump.vbk`;
      await w.sql.query(
        `INSERT INTO db_backups (id, kind, status, started_at, completed_at, expires_at, storage_provider, storage_key, encrypted, size_bytes, sha256)
         VALUES ($1, 'scheduled', 'completed', $2, $2, $3, 'local_disk', $4, true, 1, 'x')`,
        [row.id, new Date(row.completed), new Date(row.expires), key],
      );
      await w.archives.put(key, Readable.from([Buffer.from('archive')]), { contentType: 'application/octet-stream' });
    }
    const unexpired = 'a0000000-0000-4000-8000-000000000000';
    await w.sql.query(
      `INSERT INTO db_backups (id, kind, status, started_at, completed_at, expires_at, storage_provider, storage_key, encrypted)
       VALUES ($1, 'manual', 'completed', $2, $2, $3, 'local_disk', $4, true)`,
      [unexpired, new Date(now - 50 * day), new Date(now + day), `backups/db/${unexpired}.pgdump.vbk`],
    );
    const outcome = await w.container.get<ApplyBackupRetention>(TOKENS.ApplyBackupRetention).execute();
    expect(outcome.removed).toBe(2);
    const left = (await w.sql.query('SELECT id FROM db_backups ORDER BY id')).rows.map((r) => r.id);
    expect(left).toEqual([unexpired, rows[2]!.id]);
    expect(await w.archives.head(`backups/db/${rows[0]!.id}.pgdump.vbk`)).toBeNull();
    expect(await w.archives.head(`backups/db/${rows[1]!.id}.pgdump.vbk`)).toBeNull();
    expect(await w.archives.head(`backups/db/${rows[2]!.id}.pgdump.vbk`)).not.toBeNull();
  });
});
