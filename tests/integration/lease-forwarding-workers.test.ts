import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../support/free-port';
import { currentRun } from '../support/run-resources';
import { scratchDatabase } from '../support/scratch-database';
import { ServiceProcess } from '../support/service-process';
import { aToken, TEST_JWT_SECRET } from '../support/tokens';

/*
 * WORKERS=2 with one INSTANCE_ID, as a user runs it: each worker is its own instance (its own id and
 * internal listener), and a lease acquired through one worker is used and released through the other.
 */
// Starting the service takes most of it (tsx on a shared 2-core machine); the bound leaves room for a busy one.
jest.setTimeout(150_000);

let service: ServiceProcess;
let port: number;
let dataDir: string;
let dropDatabase: () => Promise<void>;
let token: string;

/** One request on a connection of its own: the primary hands each new connection to the next worker. */
function post(route: string, body?: unknown): Promise<{ status: number; worker: string; body: Record<string, any> }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? '' : JSON.stringify(body);
    const req = http.request(
      { host: '127.0.0.1', port, path: route, method: 'POST', agent: false, headers: { Authorization: `Bearer ${token}`, ...(payload ? { 'Content-Type': 'application/json' } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, worker: String(res.headers['x-worker-id']), body: JSON.parse(Buffer.concat(chunks).toString() || '{}') }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Sends `route` on a new connection right after one the holder answered: the primary hands connections
 * to the workers in turn, so the request itself reaches the other worker.
 */
async function throughAnotherWorker(holder: string, route: string, body?: unknown) {
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const probe = await post('/api/v1/connections/no-such-lease/rollback');
    if (probe.worker === holder) break;
  }
  const res = await post(route, body);
  expect(res.worker).not.toBe(holder);
  return res;
}

beforeAll(async () => {
  const scratch = await scratchDatabase();
  dropDatabase = scratch.drop;
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-lease-workers-'));
  port = await freePort();
  service = new ServiceProcess({
    NODE_ENV: 'test',
    WORKERS: '2',
    INSTANCE_ID: 'workers-test',
    PORT: String(port),
    PROMETHEUS_PORT: '0',
    DATABASE_URL: scratch.url,
    REDIS_URL: currentRun().redisUrl,
    REDIS_KEY_PREFIX: `${currentRun().keyPrefix}lease-workers:`,
    MIGRATE_ON_START: 'true',
    JWT_SECRET: TEST_JWT_SECRET,
    DATA_DIR: dataDir,
    STORAGE_DIR: path.join(dataDir, 'storage'),
    TRANSFORM_CONCURRENCY: '0',
    BACKUP_WORKERS: '0',
    LOG_LEVEL: 'info',
  });
  service.start();
  await service.waitFor(`http://127.0.0.1:${port}/health/ready`);
  token = await aToken({ sub: randomUUID() });
}, 150_000);

afterAll(async () => {
  await service?.stop().catch(() => undefined);
  await dropDatabase?.();
  await fs.rm(dataDir, { recursive: true, force: true });
});

it('serves a lease from either worker: acquired through one, begun, committed and released through the other', async () => {
  const acquired = await post('/api/v1/connections/acquire', { service_name: 'workers', database_type: 'postgresql', operation_type: 'write' });
  expect(acquired.status).toBe(201);
  const id = acquired.body.connection_id as string;
  expect(id).toMatch(/^conn_workers-test-w\d+_[0-9a-f]{24}$/);

  const begun = await throughAnotherWorker(acquired.worker, `/api/v1/connections/${id}/begin`);
  expect({ status: begun.status, body: begun.body }).toEqual({ status: 200, body: { connection_id: id, transaction_status: 'active' } });
  const committed = await throughAnotherWorker(acquired.worker, `/api/v1/connections/${id}/commit`);
  expect(committed.status).toBe(200);
  const released = await throughAnotherWorker(acquired.worker, '/api/v1/connections/release', { connection_id: id, service_name: 'workers' });
  expect({ status: released.status, state: released.body.status }).toEqual({ status: 200, state: 'released' });
  // Two internal listeners, one per worker, each announcing its own id.
  const announced = service.output.split('\n').filter((line) => line.includes('internal listener up'));
  expect(new Set(announced.map((line) => (JSON.parse(line) as { instance_id: string }).instance_id)).size).toBe(2);
});
