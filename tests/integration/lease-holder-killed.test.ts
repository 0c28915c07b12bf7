import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { eventually } from '../support/eventually';
import { freePort } from '../support/free-port';
import { listeningPid } from '../support/listening-pid';
import { currentRun } from '../support/run-resources';
import { scratchDatabase } from '../support/scratch-database';
import { ServiceProcess } from '../support/service-process';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, TEST_JWT_SECRET } from '../support/tokens';

/*
 * The lease's holder is the service as users run it (its real main, its own process); the other
 * instance is the wired app in this process, with its own internal listener, sharing the database and
 * the Redis prefix. A lease held by the process is used through the other instance (forwarded); the
 * holder is then killed with SIGKILL in the middle of the lease's transaction: the other answers 410
 * LEASE_LOST for it, and nothing of the transaction was committed, in PostgreSQL or in Redis.
 */
// Starting the service takes most of it (tsx on a shared 2-core machine); the bound leaves room for a busy one.
jest.setTimeout(150_000);

interface Instance {
  service: ServiceProcess;
  port: number;
  base: string;
}

let holder: Instance;
let otherApp: TestApp;
let other: { base: string };
let otherServer: http.Server;
let dataDir: string;
let db: Client;
let raw: Redis;
let dropDatabase: () => Promise<void>;
const user = { id: randomUUID(), token: '' };
const keyPrefix = `${currentRun().keyPrefix}lease-kill:`;

async function startInstance(databaseUrl: string, label: string): Promise<Instance> {
  const port = await freePort();
  const service = new ServiceProcess({
    NODE_ENV: 'test',
    PORT: String(port),
    PROMETHEUS_PORT: '0',
    DATABASE_URL: databaseUrl,
    REDIS_URL: currentRun().redisUrl,
    REDIS_KEY_PREFIX: keyPrefix,
    MIGRATE_ON_START: 'true',
    JWT_SECRET: TEST_JWT_SECRET,
    INSTANCE_ID: `${label}-${randomBytes(3).toString('hex')}`,
    DATA_DIR: dataDir,
    STORAGE_DIR: path.join(dataDir, label),
    TRANSFORM_CONCURRENCY: '0',
    BACKUP_WORKERS: '0',
    LOG_LEVEL: 'warn',
  });
  service.start();
  return { service, port, base: `http://127.0.0.1:${port}` };
}

const call = async (at: { base: string }, route: string, body?: unknown) => {
  const res = await fetch(`${at.base}${route}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${user.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

beforeAll(async () => {
  const scratch = await scratchDatabase();
  dropDatabase = scratch.drop;
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-lease-kill-'));
  // Migrates the scratch database first; the holder then finds nothing to apply.
  otherApp = await buildTestApp({ env: { DATABASE_URL: scratch.url, REDIS_KEY_PREFIX: keyPrefix, INSTANCE_ID: `other-${randomBytes(3).toString('hex')}` } });
  otherServer = otherApp.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => otherServer.once('listening', resolve));
  other = { base: `http://127.0.0.1:${(otherServer.address() as AddressInfo).port}` };
  holder = await startInstance(scratch.url, 'holder');
  await holder.service.waitFor(`${holder.base}/health/ready`);
  db = new Client({ connectionString: scratch.url });
  await db.connect();
  raw = new Redis(currentRun().redisUrl, { keyPrefix, maxRetriesPerRequest: 1 });
  user.token = await aToken({ sub: user.id });
}, 150_000);

afterAll(async () => {
  await holder?.service.stop().catch(() => undefined);
  otherServer?.closeAllConnections();
  await new Promise((resolve) => (otherServer ? otherServer.close(resolve) : resolve(undefined)));
  await otherApp?.close();
  raw?.disconnect();
  await db?.end().catch(() => undefined);
  await dropDatabase?.();
  await fs.rm(dataDir, { recursive: true, force: true });
});

it('a lease whose holder is killed mid-transaction answers 410 LEASE_LOST elsewhere, and nothing of it is committed', async () => {
  const title = `killed-${randomUUID()}`;
  const key = `kill:${randomBytes(4).toString('hex')}`;
  const users = await call(other, '/api/v1/data/transaction', { operations: [{ database: 'postgresql', operation: 'insert', table: 'users', data: { email: `${title}@example.com`, password_hash: 'x' } }] });
  expect(users.status).toBe(200);

  const acquired = await call(holder, '/api/v1/connections/acquire', { service_name: 'kill-test', database_type: 'postgresql', operation_type: 'write' });
  expect(acquired.status).toBe(201);
  const id = acquired.body.connection_id as string;
  // Through the other instance, forwarded to the holder.
  expect(await call(other, `/api/v1/connections/${id}/begin`)).toEqual({ status: 200, body: { connection_id: id, transaction_status: 'active' } });
  const written = await call(other, '/api/v1/data/transaction', {
    connection_id: id,
    operations: [
      { database: 'postgresql', operation: 'insert', table: 'projects', data: { title } },
      { database: 'redis', operation: 'set', key, value: 'never' },
    ],
  });
  expect({ status: written.status, state: written.body.status }).toEqual({ status: 200, state: 'pending_commit' });

  process.kill(listeningPid(holder.port), 'SIGKILL');
  await eventually('the killed holder to exit', () => (holder.service.exitCode !== undefined ? true : undefined));

  const lost = [
    await call(other, `/api/v1/connections/${id}/commit`),
    await call(other, '/api/v1/data/query', { database: 'postgresql', query_type: 'select', table: 'projects', connection_id: id }),
    await call(other, '/api/v1/connections/release', { connection_id: id, service_name: 'kill-test' }),
  ];
  for (const res of lost) {
    expect(res.status).toBe(410);
    expect(res.body.error).toMatchObject({ code: 'LEASE_LOST', details: { connection_id: id, transaction: 'rolled_back' }, service: 'visiobook-data-platform' });
  }
  // The holder's connection died with it: PostgreSQL rolled the transaction back.
  await eventually('the killed connection to be gone', async () => {
    const { rowCount } = await db.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'");
    return rowCount === 0 ? true : undefined;
  });
  expect((await db.query('SELECT 1 FROM projects WHERE title = $1', [title])).rowCount).toBe(0);
  expect((await db.query("SELECT 1 FROM data_outbox WHERE effect->'command'->>'key' LIKE $1", [`%${key}`])).rowCount).toBe(0);
  await expect(raw.get(`data:user:${user.id}:${key}`)).resolves.toBeNull();
  // The other instance still serves: a new lease there works.
  const fresh = await call(other, '/api/v1/connections/acquire', { service_name: 'kill-test', database_type: 'postgresql', operation_type: 'write' });
  expect(fresh.status).toBe(201);
  expect((await call(other, '/api/v1/connections/release', { connection_id: fresh.body.connection_id, service_name: 'kill-test' })).status).toBe(200);
});
