import { randomBytes } from 'node:crypto';
import { listeningPid } from '../support/listening-pid';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../support/free-port';
import { currentRun } from '../support/run-resources';
import { scratchDatabase } from '../support/scratch-database';
import { ServiceProcess } from '../support/service-process';
import { aToken, TEST_JWT_SECRET } from '../support/tokens';

/*
 * storage-upload-memory.test.ts with a keyring: encrypting on the way in and decrypting on the way
 * out keep the service's memory flat (64 KiB segments), measured on the service's own process.
 */
const MB = 1024 * 1024;
const SIZE = 256 * MB;

let service: ServiceProcess;
let port: number;
let dropDatabase: () => Promise<void>;
let storageDir: string;

beforeAll(async () => {
  const db = await scratchDatabase();
  dropDatabase = db.drop;
  storageDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'vb-enc-memory-'));
  port = await freePort();
  const run = currentRun();
  service = new ServiceProcess({
    NODE_ENV: 'test',
    PORT: String(port),
    PROMETHEUS_PORT: '0',
    DATABASE_URL: db.url,
    REDIS_URL: run.redisUrl,
    REDIS_KEY_PREFIX: `${run.keyPrefix}enc-memory:`,
    MIGRATE_ON_START: 'true',
    JWT_SECRET: TEST_JWT_SECRET,
    STORAGE_PROVIDER: 'local_disk',
    STORAGE_DIR: storageDir,
    DATA_DIR: storageDir,
    MAX_FILE_SIZE: '1gb',
    TRANSFORM_CONCURRENCY: '0',
    LOG_LEVEL: 'warn',
    ENCRYPTION_KEYS: `mem:${randomBytes(32).toString('base64')}`,
  });
  service.start();
  await service.waitFor(`http://127.0.0.1:${port}/health/ready`);
}, 120_000);

afterAll(async () => {
  await service?.stop().catch(() => undefined);
  await dropDatabase?.();
  await fsp.rm(storageDir, { recursive: true, force: true });
});

/** The pid of the node process that listens on the service port (tsx may start it as a child). */
const servicePid = (): number => listeningPid(port);

function memoryKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]);
}

/** Streams a multipart upload of `size` bytes from one reused buffer, honouring back-pressure. */
async function streamUpload(token: string, size: number, name: string): Promise<{ status: number; body: string }> {
  const head = Buffer.from(`--B\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/plain\r\n\r\n`);
  const tail = Buffer.from('\r\n--B--\r\n');
  const chunk = Buffer.from(randomBytes(MB / 2).toString('hex'));
  const req = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/api/v1/storage/upload',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'multipart/form-data; boundary=B', 'Content-Length': String(head.length + size + tail.length) },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
  req.write(head);
  for (let sent = 0; sent < size; sent += chunk.length) {
    if (!req.write(chunk.subarray(0, Math.min(chunk.length, size - sent)))) await new Promise((r) => req.once('drain', r));
  }
  req.end(tail);
  return answer;
}

/** Reads the whole body, counting bytes without keeping them. */
function download(token: string, fileId: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: `/api/v1/storage/stream/${fileId}`, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

describe('a large encrypted upload and download', () => {
  it('stream: the service process grows by far less than the file', async () => {
    const token = await aToken({ role: 'admin' });
    const warm = await streamUpload(token, 4 * MB, 'warm.txt');
    expect(warm.status).toBe(201);
    expect((await download(token, JSON.parse(warm.body).file.id)).bytes).toBe(4 * MB);
    const pid = servicePid();
    const baselineKb = memoryKb(pid, 'VmRSS');

    const res = await streamUpload(token, SIZE, 'big.txt');
    expect(res.status).toBe(201);
    const file = JSON.parse(res.body).file;
    expect(file.size_bytes).toBe(SIZE);
    expect(fs.statSync(path.join(storageDir, file.file_path)).size).toBeGreaterThan(SIZE);
    expect(await download(token, file.id)).toEqual({ status: 200, bytes: SIZE });

    const growthMb = (memoryKb(pid, 'VmHWM') - baselineKb) / 1024;
    expect(growthMb).toBeLessThan(SIZE / MB / 4);
  }, 300_000);
});
