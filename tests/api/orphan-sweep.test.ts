import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import type { PrometheusMetrics } from '../../src/adapters/metrics/prometheus-metrics';
import type { SweepOrphans } from '../../src/application/storage/sweep/sweep-orphans';
import type { BackgroundTask, Capability } from '../../src/infrastructure/background-task';
import { TOKENS } from '../../src/infrastructure/tokens';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

const TUS = { 'Tus-Resumable': '1.0.0' };
const aPdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(size - 9)]);

/**
 * The orphan sweep over the wired service: real PostgreSQL, the disk store. What a crash leaves goes
 * (a .partial, the staging of a session expired or gone, a derived object without its row); what any
 * row or live session refers to stays (a file, a live tus upload, a database backup's archive, a
 * deleted file's object a kept backup lists).
 */
describe('orphan sweep (disk store, PostgreSQL)', () => {
  let world: TestApp;
  let root: string;
  const owner = randomUUID();
  let token: string;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-orphans-'));
    world = await buildTestApp({ env: { STORAGE_DIR: root, ORPHAN_GRACE_MS: '1000', ORPHAN_SWEEP_INTERVAL_MS: '0' }, background: false });
    token = await aToken({ sub: owner });
  }, 60_000);
  afterAll(async () => {
    await world.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  const db = () => world.container.get<PgSqlDatabase>(TOKENS.PgSqlDatabase);
  const sql = (text: string, values: unknown[] = []) => db().withClient((client) => client.query(text, values));

  async function tusUpload(length: number, sent: Buffer): Promise<string> {
    const meta = `filename ${Buffer.from('x.pdf').toString('base64')},filetype ${Buffer.from('application/pdf').toString('base64')}`;
    const created = await request(world.app).post('/api/v1/storage/tus').set(bearer(token)).set(TUS).set('Upload-Length', String(length)).set('Upload-Metadata', meta);
    expect(created.status).toBe(201);
    const location = new URL(created.headers.location as string, 'http://x').pathname;
    const patched = await request(world.app).patch(location).set(bearer(token)).set(TUS).set('Content-Type', 'application/offset+octet-stream').set('Upload-Offset', '0').send(sent);
    expect(patched.status).toBe(204);
    return location;
  }
  const sessionId = (location: string) => location.split('/').pop()!;
  const staged = async () => (await fs.readdir(path.join(root, '.uploads'))).sort();
  const exists = (relative: string) => fs.access(path.join(root, relative)).then(() => true, () => false);

  /** Every file under the root, older than the grace by a minute. */
  async function ageEverything(): Promise<void> {
    const past = new Date(Date.now() - 60_000);
    for (const entry of await fs.readdir(root, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) await fs.utimes(path.join(entry.parentPath, entry.name), past, past);
    }
  }

  it('is registered as the one-process task orphan-sweeper, absent when the interval is 0', () => {
    const module = world.container.get<Capability>(TOKENS.OrphanSweepModule);
    expect(module.tasks).toEqual([]);
  });

  it('removes only the orphans older than the grace, logs and counts them by kind', async () => {
    // A file: referenced by its row.
    const body = Buffer.concat([
      Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="file"; filename="kept.txt"\r\nContent-Type: text/plain\r\n\r\n'),
      Buffer.from('kept content'),
      Buffer.from('\r\n--XyZ--\r\n'),
    ]);
    const uploaded = await request(world.app).post('/api/v1/storage/upload').set(bearer(token)).set('Content-Type', 'multipart/form-data; boundary=XyZ').send(body);
    expect(uploaded.status).toBe(201);
    const keptKey = uploaded.body.file.file_path as string;

    // A live tus upload, one whose session expired, one whose row is gone.
    const live = await tusUpload(512 * 1024, aPdf(256 * 1024));
    const expired = await tusUpload(512 * 1024, aPdf(256 * 1024));
    const rowless = await tusUpload(512 * 1024, aPdf(256 * 1024));
    await sql(`UPDATE upload_sessions SET expires_at = now() - interval '1 hour' WHERE id = $1`, [sessionId(expired)]);
    const liveUploadId = (await sql('SELECT provider_upload_id FROM upload_sessions WHERE id = $1', [sessionId(live)])).rows[0].provider_upload_id as string;
    await sql('DELETE FROM upload_sessions WHERE id = $1', [sessionId(rowless)]);
    expect(await staged()).toHaveLength(3);

    // What a crash leaves beside: a put's temporary, a derived object whose row was never written.
    const folder = `users/${owner}/projects/none`;
    const partial = `${folder}/.big_${randomUUID()}.bin.${randomBytes(16).toString('hex')}.partial`;
    await fs.writeFile(path.join(root, partial), randomBytes(1000));
    const derived = `${folder}/thumbnail_${randomUUID()}.jpg`;
    await fs.writeFile(path.join(root, derived), randomBytes(300));

    // A database backup's archive, and a deleted file's object that a kept backup lists (tombstoned).
    const backupId = randomUUID();
    const archive = `backups/db/${backupId}.pgdump.vbk`;
    await fs.mkdir(path.join(root, 'backups/db'), { recursive: true });
    await fs.writeFile(path.join(root, archive), randomBytes(200));
    await sql(
      `INSERT INTO db_backups (id, kind, status, storage_provider, storage_key, encrypted, completed_at) VALUES ($1, 'manual', 'completed', 'local_disk', $2, true, now())`,
      [backupId, archive],
    );
    const tombstoned = `${folder}/deleted_${randomUUID()}.txt`;
    await fs.writeFile(path.join(root, tombstoned), 'listed by a backup');
    await sql('INSERT INTO db_backup_tombstones (file_path, file_id) VALUES ($1, $2)', [tombstoned, randomUUID()]);

    const sweep = world.container.get<SweepOrphans>(TOKENS.SweepOrphans);
    // Everything is younger than the grace: nothing goes.
    await expect(sweep.execute()).resolves.toMatchObject({ removed: { object: 0, partial_write: 0, staged_upload: 0 } });

    await ageEverything();
    const report = await sweep.execute();
    expect(report).toEqual({
      scanned: 4 + 3 + 1,
      removed: { object: 1, partial_write: 1, staged_upload: 2 },
      bytesRemoved: { object: 300, partial_write: 1000, staged_upload: 2 * 256 * 1024 },
      failed: 0,
    });
    expect(await exists(derived)).toBe(false);
    expect(await exists(partial)).toBe(false);
    expect(await staged()).toEqual([liveUploadId]);
    for (const kept of [keptKey, archive, tombstoned]) expect(await exists(kept)).toBe(true);

    const metrics = await world.container.get<PrometheusMetrics>(TOKENS.Metrics).render();
    const count = (kind: string) => Number(new RegExp(`^orphan_objects_removed_total\\{[^}]*kind="${kind}"[^}]*\\} (\\d+)`, 'm').exec(metrics)?.[1]);
    expect([count('object'), count('partial_write'), count('staged_upload')]).toEqual([1, 1, 2]);

    // The live upload goes on and completes; the kept file still downloads.
    const rest = aPdf(256 * 1024);
    const finished = await request(world.app).patch(live).set(bearer(token)).set(TUS).set('Content-Type', 'application/offset+octet-stream').set('Upload-Offset', String(256 * 1024)).send(rest);
    expect(finished.status).toBe(204);
    const file = await request(world.app).get(`/api/v1/storage/stream/${uploaded.body.file.id}`).set(bearer(token));
    expect(file.status).toBe(200);

    // A second sweep finds nothing more.
    await ageEverything();
    await expect(sweep.execute()).resolves.toMatchObject({ removed: { object: 0, partial_write: 0, staged_upload: 0 }, failed: 0 });
  }, 60_000);
});

describe('orphan-sweeper task', () => {
  it('is a one-process periodic task when the interval is set', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-orphans-'));
    const world = await buildTestApp({ env: { STORAGE_DIR: root, ORPHAN_SWEEP_INTERVAL_MS: '60000' }, background: false });
    const tasks: BackgroundTask[] = world.container.get<Capability>(TOKENS.OrphanSweepModule).tasks;
    expect(tasks.map((t) => ({ name: t.name, schedule: t.schedule, exclusive: t.exclusive }))).toEqual([{ name: 'orphan-sweeper', schedule: 'every 1min', exclusive: true }]);
    await world.close();
    await fs.rm(root, { recursive: true, force: true });
  }, 60_000);
});
