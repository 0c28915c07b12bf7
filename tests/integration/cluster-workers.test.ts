import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../support/eventually';
import { freePort } from '../support/free-port';
import { sampleValue } from '../support/prometheus-text';
import { currentRun } from '../support/run-resources';
import { scratchDatabase } from '../support/scratch-database';
import { ServiceProcess } from '../support/service-process';
import { aToken, TEST_JWT_SECRET } from '../support/tokens';

/*
 * WORKERS=2 as a user runs it (the real main, its own processes): a primary forks two workers that
 * share the port, restarts one killed with SIGKILL, aggregates their metrics and stops them all on
 * SIGTERM; the tasks that must run once run in one of them. And the values it refuses, with exit 78.
 */
jest.setTimeout(120_000);

interface LogLine {
  msg?: string;
  pid?: number;
  role?: string;
  worker?: number;
  worker_pid?: number;
  task?: string;
  one_process_here?: string[];
  one_process_elsewhere?: string[];
}

const ONE_PROCESS = 'trash purge';
const ROUTE = '/api/v1/openapi.json';

let service: ServiceProcess;
let refusedName: ServiceProcess;
let refusedEmbedded: ServiceProcess;
let base: string;
let metricsBase: string;
let dataDir: string;
let dropDatabase: () => Promise<void>;
/** The worker left when the test below kills the other. */
let survivor: LogLine;

const lines = (): LogLine[] =>
  service.output.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
const listening = () => lines().filter((l) => l.msg === 'worker listening');
const primaryPid = () => lines().find((l) => l.role === 'primary')?.pid;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A GET on a connection of its own: the primary hands each new connection to a worker in turn. */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; worker: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, worker: res.headers['x-worker-id'] as string | undefined, body }));
      })
      .on('error', reject);
  });
}
const workersAnswering = async (url: string, requests: number) => {
  const seen = new Set<string | undefined>();
  for (let i = 0; i < requests; i++) {
    const res = await get(url);
    expect(res.status).toBe(200);
    seen.add(res.worker);
  }
  return seen;
};
const exited = (p: ServiceProcess, what: string) => eventually(what, () => (p.exitCode !== undefined ? p.exitCode : undefined), 60_000);

beforeAll(async () => {
  const scratch = await scratchDatabase();
  dropDatabase = scratch.drop;
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-workers-'));
  const [port, metricsPort] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${port}`;
  metricsBase = `http://127.0.0.1:${metricsPort}`;
  const run = currentRun();
  const common = { NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, DATA_DIR: dataDir, STORAGE_DIR: path.join(dataDir, 'files') };
  service = new ServiceProcess({
    ...common,
    WORKERS: '2',
    PORT: String(port),
    PROMETHEUS_PORT: String(metricsPort),
    DATABASE_URL: scratch.url,
    REDIS_URL: run.redisUrl,
    REDIS_KEY_PREFIX: `${run.keyPrefix}workers:`,
    MIGRATE_ON_START: 'true',
    // One queue worker each: pg-boss starts in both processes, as it would in production.
    TRANSFORM_CONCURRENCY: '1',
    BACKUP_WORKERS: '0',
    LOG_LEVEL: 'info',
  });
  refusedName = new ServiceProcess({ ...common, WORKERS: 'abc', PORT: '0', PROMETHEUS_PORT: '0' });
  refusedEmbedded = new ServiceProcess({ ...common, WORKERS: '2', PORT: '0', PROMETHEUS_PORT: '0' });
  service.start();
  refusedName.start();
  refusedEmbedded.start();
  await service.waitFor(`${base}/health`, 200, 180_000);
  await eventually('both workers listening', () => (listening().length >= 2 ? true : undefined), 60_000);
}, 240_000);

afterAll(async () => {
  await Promise.all([service, refusedName, refusedEmbedded].map((p) => p?.stop('SIGKILL').catch(() => undefined)));
  await dropDatabase?.();
  await fs.rm(dataDir, { recursive: true, force: true });
});

it('refuses WORKERS=abc with exit 78, naming the variable', async () => {
  expect(await exited(refusedName, 'WORKERS=abc to exit')).toBe(78);
  expect(refusedName.output).toMatch(/WORKERS: expected auto or a whole number/);
});

it('refuses WORKERS=2 on the embedded default with exit 78, saying why', async () => {
  expect(await exited(refusedEmbedded, 'WORKERS=2 without DATABASE_URL and REDIS_URL to exit')).toBe(78);
  expect(refusedEmbedded.output).toMatch(/WORKERS: 2 workers need state shared between processes, so DATABASE_URL and REDIS_URL must both be set \(missing: DATABASE_URL, REDIS_URL\)/);
});

it('starts two worker processes that answer on the one port; the primary answers nothing itself', async () => {
  const pids = listening().map((l) => l.worker_pid!);
  expect(new Set(pids).size).toBe(2);
  expect(pids.every(alive)).toBe(true);
  expect(pids).not.toContain(primaryPid());

  expect(await workersAnswering(`${base}/health`, 6)).toEqual(new Set(['1', '2']));
});

it('runs each one-process task in exactly one worker, and the startup log says which', async () => {
  const started = await eventually('both workers to start their tasks', () => {
    const found = lines().filter((l) => l.msg === 'background tasks started');
    return found.length >= 2 ? found : undefined;
  });
  const holders = started.filter((l) => l.one_process_here!.some((t) => t.startsWith(ONE_PROCESS)));
  const standby = started.filter((l) => l.one_process_elsewhere!.some((t) => t.startsWith(ONE_PROCESS)));
  expect(holders).toHaveLength(1);
  expect(standby).toHaveLength(1);
  expect(holders[0]!.pid).not.toBe(standby[0]!.pid);
});

it('serves /metrics aggregated over every worker: counters add up, process figures carry a worker label', async () => {
  const count = async () => sampleValue((await get(`${metricsBase}/metrics`)).body, 'http_request_duration_seconds_count', { route: ROUTE, status_code: '200' }) ?? 0;
  const before = await count();
  expect(await workersAnswering(`${base}${ROUTE}`, 10)).toEqual(new Set(['1', '2']));
  expect(await count()).toBe(before + 10);

  const text = (await get(`${metricsBase}/metrics`)).body;
  expect(sampleValue(text, 'process_cpu_user_seconds_total', { worker: '1' })).toBeDefined();
  expect(sampleValue(text, 'process_cpu_user_seconds_total', { worker: '2' })).toBeDefined();
  expect(sampleValue(text, 'cluster_workers')).toBe(2);

  // The admin route answers the same aggregation, whichever worker serves it.
  const admin = { Authorization: `Bearer ${await aToken({ role: 'admin' })}` };
  for (let i = 0; i < 2; i++) {
    const { status, body } = await get(`${base}/metrics`, admin);
    expect(status).toBe(200);
    expect(sampleValue(body, 'http_request_duration_seconds_count', { route: ROUTE, status_code: '200' })).toBe(before + 10);
    expect(sampleValue(body, 'process_cpu_user_seconds_total', { worker: '2' })).toBeDefined();
  }
});

it('restarts a worker killed with SIGKILL while the other keeps answering; its one-process tasks move over', async () => {
  const started = lines().filter((l) => l.msg === 'background tasks started');
  const holder = started.find((l) => l.one_process_here!.some((t) => t.startsWith(ONE_PROCESS)))!;
  const other = started.find((l) => l !== holder)!;
  process.kill(holder.pid!, 'SIGKILL');
  // Connections the killed process had accepted die with it; new ones go to the survivor.
  await eventually('the primary to see the worker die', () => lines().find((l) => l.msg === 'worker died; restarting it' && l.worker === holder.worker));

  expect(await workersAnswering(`${base}/health`, 4)).toEqual(new Set([String(other.worker)]));
  // Whoever asks first after the holder's lock is freed gets it: the survivor (it retries every 5 s) or
  // the replacement the primary forks (it asks as it starts). Either way, exactly one process again.
  await eventually(
    'another process to take the one-process tasks over',
    () =>
      lines().find(
        (l) =>
          (l.msg === 'took over a one-process background task' && l.task === ONE_PROCESS && l.pid !== holder.pid) ||
          (l.msg === 'background tasks started' && l.pid !== holder.pid && l.pid !== other.pid && l.one_process_here?.some((t) => t.startsWith(ONE_PROCESS))),
      ),
    40_000,
  );
  // Forked again (after the backoff's first delay); its start, as any worker's, is the test above.
  const restarted = await eventually('the killed worker to be replaced', () =>
    lines().find((l) => l.msg === 'worker started' && l.worker === holder.worker && l.worker_pid !== holder.pid),
  );
  expect(alive(restarted.worker_pid!)).toBe(true);
  await workersAnswering(`${base}/health`, 3);
  survivor = other;
  expect(sampleValue((await get(`${metricsBase}/metrics`)).body, 'cluster_worker_restarts_total', { worker: String(holder.worker) })).toBe(1);
});

it('stops every process on SIGTERM to the primary, exit 0, within the shutdown grace', async () => {
  const workers = lines().filter((l) => l.msg === 'worker started').map((l) => l.worker_pid!).filter(alive);
  expect(workers).toHaveLength(2);
  const primary = primaryPid()!;
  const t0 = Date.now();
  expect(await service.stop('SIGTERM', 30_000)).toBe(0);
  expect(Date.now() - t0).toBeLessThan(20_000);
  expect([primary, ...workers].filter(alive)).toEqual([]);
  // The survivor shuts down gracefully (the replacement may still be starting: the signal ends it).
  expect(lines().find((l) => l.msg === 'shutdown complete' && l.worker === survivor.worker)).toBeDefined();
});
