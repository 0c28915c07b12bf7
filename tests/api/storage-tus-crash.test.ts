import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { eventually } from '../support/eventually';
import { freePort } from '../support/free-port';
import { listeningPid } from '../support/listening-pid';
import { currentRun } from '../support/run-resources';
import { scratchDatabase } from '../support/scratch-database';
import { ServiceProcess } from '../support/service-process';
import { aToken, TEST_JWT_SECRET } from '../support/tokens';

/*
 * The service as a user runs it (its real main, its own process), killed with SIGKILL in the middle of
 * a tus PATCH, then started again on the same storage folder and database. Whatever the moment of the
 * kill, HEAD's Upload-Offset is never ahead of the bytes in the staged file, and the upload resumed
 * from there ends with the file's own sha256.
 */
// Three starts of the service (most of the time) and 12 MiB sent about twice: 25 s for the file on this
// 2-core machine at a load average of 14, 70-85 s at 20-29 (other runs beside it); the bound is for those.
jest.setTimeout(180_000);

const MB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
// Plain text: sniffed as what it claims, and cheap for the metadata extractor at completion (a 12 MiB
// PDF of random bytes kept it busy for about two minutes here).
const content = Buffer.from(randomBytes(6 * MB + 6_173).toString('hex'));
const TUS = { 'Tus-Resumable': '1.0.0' };

let service: ServiceProcess;
let port: number;
let base: string;
let storageDir: string;
let db: Client;
let databaseUrl: string;
let dropDatabase: () => Promise<void>;
let token: string;

beforeAll(async () => {
  const scratch = await scratchDatabase();
  dropDatabase = scratch.drop;
  storageDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-tus-crash-'));
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const run = currentRun();
  service = new ServiceProcess({
    NODE_ENV: 'test',
    PORT: String(port),
    PROMETHEUS_PORT: '0',
    DATABASE_URL: scratch.url,
    REDIS_URL: run.redisUrl,
    REDIS_KEY_PREFIX: `${run.keyPrefix}tus-crash:`,
    MIGRATE_ON_START: 'true',
    JWT_SECRET: TEST_JWT_SECRET,
    STORAGE_PROVIDER: 'local_disk',
    STORAGE_DIR: storageDir,
    DATA_DIR: storageDir,
    TRANSFORM_CONCURRENCY: '0',
    LOG_LEVEL: 'warn',
  });
  service.start();
  await service.waitFor(`${base}/health/ready`);
  databaseUrl = scratch.url;
  db = new Client({ connectionString: databaseUrl });
  await db.connect();
  token = await aToken({ sub: randomUUID() });
}, 120_000);

afterAll(async () => {
  await service?.stop().catch(() => undefined);
  await db?.end().catch(() => undefined);
  await dropDatabase?.();
  await fs.rm(storageDir, { recursive: true, force: true });
});

/** SIGKILL to the process that serves the port (not tsx's launcher), then the same service started again. */
async function killAndRestart(): Promise<void> {
  process.kill(listeningPid(port), 'SIGKILL');
  await eventually('the killed service to exit', () => (service.exitCode !== undefined ? true : undefined));
  service.start();
  await service.waitFor(`${base}/health/ready`);
}

interface Patch {
  /** Settles with the status, or 'cut' when the kill cut the connection. */
  answer: Promise<number | 'cut'>;
  request: http.ClientRequest;
}

/** A PATCH of content[from, to) whose body is sent only up to `sendUntil` (the rest never comes). */
function patch(location: string, from: number, to: number, sendUntil = to): Patch {
  const request = http.request(`${base}${location}`, {
    method: 'PATCH',
    headers: { ...TUS, Authorization: `Bearer ${token}`, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(from), 'Content-Length': String(to - from) },
  });
  const answer = new Promise<number | 'cut'>((resolve) => {
    request.on('error', () => resolve('cut'));
    request.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
  });
  if (sendUntil === to) request.end(content.subarray(from, to));
  else request.write(content.subarray(from, sendUntil));
  return { answer, request };
}

async function headOffset(location: string): Promise<number> {
  const res = await fetch(`${base}${location}`, { method: 'HEAD', headers: { ...TUS, Authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return Number(res.headers.get('upload-offset'));
}

async function stagedFile(sessionId: string): Promise<string> {
  const row = await db.query('SELECT provider_upload_id FROM upload_sessions WHERE id = $1', [sessionId]);
  return path.join(storageDir, '.uploads', row.rows[0].provider_upload_id as string);
}

/** HEAD's offset, after checking that the staged file holds at least that many bytes, and the right ones. */
async function offsetBackedByTheStagedFile(location: string, staged: string): Promise<number> {
  const offset = await headOffset(location);
  const bytes = await fs.readFile(staged);
  expect(bytes.length).toBeGreaterThanOrEqual(offset);
  expect(bytes.subarray(0, offset).equals(content.subarray(0, offset))).toBe(true);
  return offset;
}

describe('a tus upload whose service is killed with SIGKILL mid-PATCH', () => {
  it('resumes from HEAD after each kill, the offset never ahead of the staged bytes, and completes with the right sha256', async () => {
    const meta = `filename ${Buffer.from('crash.txt').toString('base64')},filetype ${Buffer.from('text/plain').toString('base64')}`;
    const created = await fetch(`${base}/api/v1/storage/tus`, {
      method: 'POST',
      headers: { ...TUS, Authorization: `Bearer ${token}`, 'Upload-Length': String(content.length), 'Upload-Metadata': meta },
    });
    expect(created.status).toBe(201);
    const location = created.headers.get('location')!;
    const sessionId = location.split('/').pop()!;
    const staged = await stagedFile(sessionId);

    // A first PATCH that completes: its offset is committed.
    expect(await patch(location, 0, 3 * MB).answer).toBe(204);
    expect(await offsetBackedByTheStagedFile(location, staged)).toBe(3 * MB);

    // 1. Killed mid-body: the server has written part of the body to the staged file and awaits the
    // rest. Nothing of that PATCH is committed; HEAD says where it stood before.
    const cut = patch(location, 3 * MB, content.length, 5.5 * MB + 1_001);
    // The server writes in batches of 1 MiB and a little more: this much gets on disk meanwhile.
    await eventually('the PATCH to reach the staged file', async () => ((await fs.stat(staged)).size >= 5 * MB ? true : undefined));
    await killAndRestart();
    expect(await cut.answer).toBe('cut');
    expect(await offsetBackedByTheStagedFile(location, staged)).toBe(3 * MB);

    // 2. Killed between the write and its commit: the test holds the session row's lock, so the PATCH
    // writes (and syncs) its whole body, then waits on the offset's UPDATE; the kill lands there.
    const from = await headOffset(location);
    const to = from + 5 * MB;
    const locker = new Client({ connectionString: databaseUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM upload_sessions WHERE id = $1 FOR UPDATE', [sessionId]);
      const blocked = patch(location, from, to);
      const waiting = await eventually('the PATCH to wait on its offset commit', async () => {
        const rows = await db.query(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE upload_sessions SET received_bytes%'`,
        );
        return rows.rows[0]?.pid as number | undefined;
      });
      // Every byte of the PATCH is in the staged file before the commit is even attempted.
      const written = await fs.readFile(staged);
      expect(written.length).toBeGreaterThanOrEqual(to);
      expect(written.subarray(from, to).equals(content.subarray(from, to))).toBe(true);
      process.kill(listeningPid(port), 'SIGKILL');
      // The commit was sent but never ran: end it as the crash would have had it not been sent yet.
      await db.query('SELECT pg_terminate_backend($1)', [waiting]);
      await locker.query('ROLLBACK');
      await eventually('the killed service to exit', () => (service.exitCode !== undefined ? true : undefined));
      expect(await blocked.answer).toBe('cut');
    } finally {
      await locker.end().catch(() => undefined);
    }
    service.start();
    await service.waitFor(`${base}/health/ready`);
    expect(await offsetBackedByTheStagedFile(location, staged)).toBe(from);

    // 3. Resumed from HEAD's offset: the upload completes, hashed across three processes.
    const resumeAt = await headOffset(location);
    expect(await patch(location, resumeAt, content.length).answer).toBe(204);
    expect(await headOffset(location)).toBe(content.length);
    const file = await db.query(
      'SELECT f.id, f.checksum_sha256, f.size_bytes FROM upload_sessions s JOIN files f ON f.id = s.file_id WHERE s.id = $1',
      [sessionId],
    );
    expect(file.rows[0]).toMatchObject({ checksum_sha256: sha256(content), size_bytes: String(content.length) });
    const download = await fetch(`${base}/api/v1/storage/download/${file.rows[0].id}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(download.status).toBe(200);
    expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(sha256(content));
    // Completion renamed the staged file: nothing is left staged.
    await expect(fs.stat(staged)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
