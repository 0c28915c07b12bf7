import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { S3ObjectStore } from '../../src/adapters/object-store/s3-object-store';
import { TOKENS } from '../../src/infrastructure/tokens';
import { backupsWorld, bytesOf, finished, type BackupsWorld } from '../support/backups-world';
import { startS3rver, type RunningS3 } from '../support/s3rver';
import { upload } from '../support/storage-world';
import { aToken, bearer } from '../support/tokens';

jest.setTimeout(90_000);

/**
 * Backups kept off-site: the archive store is S3 (s3rver) while the files stay on the local disk.
 * One backup, then a restore of it into a new database, read back from S3.
 */
describe('database backups with the archives in S3', () => {
  let s3: RunningS3;
  let w: BackupsWorld;
  let admin: string;
  let user: string;
  const restoredName = `vb_restore_s3_${process.pid}_${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    [admin, user] = await Promise.all([aToken({ role: 'admin' }), aToken({ role: 'user' })]);
    s3 = await startS3rver();
    const archives = new S3ObjectStore({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      bucket: `vb-backups-${randomBytes(4).toString('hex')}`,
    });
    w = await backupsWorld({}, { [TOKENS.BackupArchiveStore]: archives });
  });
  afterAll(async () => {
    await w?.sql.query(`DROP DATABASE IF EXISTS "${restoredName}" WITH (FORCE)`);
    await w?.close();
    await s3?.stop();
  });

  it('stores the encrypted archive in S3 and restores it into a new database with its files', async () => {
    const file = (await upload(w.app, user, Buffer.from('kept off-site'), { name: 's3.txt', type: 'text/plain' }).expect(201)).body;
    const fileId: string = file.id ?? file.file?.id ?? file.file_id;

    const started = await request(w.app).post('/api/v1/db/backup').set(bearer(admin)).send({ label: 'off-site' }).expect(202);
    const backup = await finished(w.app, admin, started.body.id);
    expect(backup).toMatchObject({ status: 'completed', encrypted: true, files_in_manifest: 1, storage: { provider: 'aws_s3', key: `backups/db/${backup.id}.pgdump.vbk` } });

    // In the bucket, encrypted: no pg_dump header in the clear.
    const stored = await bytesOf(w.archives, backup.storage.key);
    expect(stored.length).toBeGreaterThan(backup.size_bytes);
    expect(stored.includes(Buffer.from('PGDMP'))).toBe(false);

    const restore = await request(w.app)
      .post(`/api/v1/db/backups/${backup.id}/restore`)
      .set(bearer(admin))
      .send({ target: 'new_database', database_name: restoredName })
      .expect(202);
    let done: Record<string, any>;
    for (;;) {
      done = (await request(w.app).get(`/api/v1/db/restores/${restore.body.id}`).set(bearer(admin)).expect(200)).body;
      if (done.status === 'completed' || done.status === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(done).toMatchObject({ status: 'completed', error: null, report: { files_in_manifest: 1, files_restored: 1, files_missing: 0 } });
    expect(done.progress.bytes_read).toBe(backup.size_bytes);

    const copy = new Client({ connectionString: w.scratch.url.replace(/\/[^/?]+(\?|$)/, `/${restoredName}$1`) });
    await copy.connect();
    try {
      expect((await copy.query('SELECT 1 FROM files WHERE id = $1', [fileId])).rowCount).toBe(1);
    } finally {
      await copy.end();
    }
  });
});
