import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { aToken } from '../support/tokens';
import { LoadClient, newLedger, type Ledger } from './load-client';
import { call } from './load-http';
import { checkInvariants, eachLimited, type InvariantFigures } from './load-invariants';
import { LoadService, type LoadServers } from './load-service';
import { formatStats, LoadStats } from './load-stats';

/*
 * The load suite (issue 13): the real service on real PostgreSQL and Redis, N clients (one user each)
 * for T seconds picking queries (hits and misses), transactions with Redis effects, multipart and tus
 * uploads, leases, downloads and ranges, and image transforms at random; one backup in the middle.
 * Then the invariants (load-invariants.ts). Used by tests/load/load-small.test.ts and `npm run test:load`.
 */

export interface LoadOptions {
  clients: number;
  seconds: number;
  log?: (line: string) => void;
}

export interface LoadReport {
  clients: number;
  seconds: number;
  stats: LoadStats;
  ledger: Ledger;
  figures: InvariantFigures;
  violations: string[];
  transforms: Record<string, number>;
  backup: { status: string; ms: number; sizeBytes?: number };
  peakRssBytes: number;
  rssAfterBytes: number;
}

const ADMIN = randomUUID();

export async function runLoad(servers: LoadServers, options: LoadOptions): Promise<LoadReport> {
  const log = options.log ?? (() => undefined);
  log(`starting the service (DB_POOL_MAX ${servers.poolMax})...`);
  const service = await LoadService.start(servers);
  try {
    const stats = new LoadStats();
    const ledger = newLedger();
    log(`creating ${options.clients} users...`);
    const users = await createUsers(service.base, options.clients);
    const adminToken = await aToken({ sub: ADMIN, role: 'admin', ttlSeconds: 3 * 3600 });
    const pid = service.servicePid();

    log(`${options.clients} clients for ${options.seconds} s...`);
    const deadline = Date.now() + options.seconds * 1000;
    const clients = users.map((u, index) => new LoadClient({ base: service.base, index, userId: u.userId, token: u.token, stats, ledger }).run(deadline));
    const backup = runBackupAt(service.base, adminToken, Date.now() + (options.seconds * 1000) / 3, stats);
    await Promise.all(clients);
    log('clients done; waiting for the backup, the transforms and the outbox...');
    const backupResult = await backup;
    const transforms = await settleTransforms(service, ledger.transforms.length);
    await drainOutbox(service);

    log('checking the invariants...');
    const { violations, figures } = await checkInvariants({
      base: service.base, db: service.db, storageDir: service.storageDir, stats, ledger,
      tokens: new Map(users.map((u) => [u.userId, u.token])), backupKeys: backupResult.key ? [backupResult.key] : [],
    });
    if (backupResult.status !== 'completed') violations.push(`the backup ended ${backupResult.status}: ${backupResult.error ?? ''}`);
    if ((transforms.failed ?? 0) > 0 || (transforms.queued ?? 0) + (transforms.processing ?? 0) > 0) violations.push(`transforms not all completed: ${JSON.stringify(transforms)}`);
    return {
      clients: options.clients, seconds: options.seconds, stats, ledger, figures, violations, transforms,
      backup: { status: backupResult.status, ms: backupResult.ms, sizeBytes: backupResult.sizeBytes },
      peakRssBytes: memoryOf(pid, 'VmHWM'), rssAfterBytes: memoryOf(pid, 'VmRSS'),
    };
  } finally {
    await service.dispose();
  }
}

async function createUsers(base: string, count: number): Promise<Array<{ userId: string; token: string }>> {
  const users = await Promise.all(Array.from({ length: count }, async () => {
    const userId = randomUUID();
    return { userId, token: await aToken({ sub: userId, role: 'user', ttlSeconds: 3 * 3600 }) };
  }));
  await eachLimited(users, 8, async (u) => {
    const res = await call(base, 'POST', '/api/v1/data/transaction', {
      token: u.token,
      json: { operations: [{ database: 'postgresql', operation: 'insert', table: 'users', data: { email: `load-${u.userId}@example.com`, password_hash: 'x' } }] },
    });
    if (res.status !== 200) throw new Error(`creating user ${u.userId}: ${res.status} ${res.bytes.toString('utf8')}`);
  });
  return users;
}

/** One backup started at `at`, followed until it ends: its latency is start to completion. */
async function runBackupAt(base: string, token: string, at: number, stats: LoadStats): Promise<{ status: string; ms: number; key?: string; sizeBytes?: number; error?: string }> {
  await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
  const started = performance.now();
  const res = await call(base, 'POST', '/api/v1/db/backup', { token, json: { label: 'load suite' } });
  stats.record('backup_start', res.ms, res.status || 'network', res.status === 202, res.bytes.toString('utf8'));
  const id = res.json()?.id;
  if (res.status !== 202 || typeof id !== 'string') return { status: `not started (${res.status})`, ms: res.ms };
  const until = Date.now() + 300_000;
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 500));
    const poll = await call(base, 'GET', `/api/v1/db/backups/${id}`, { token });
    const body = poll.json();
    if (poll.status !== 200) stats.record('backup_poll', poll.ms, poll.status || 'network', false, poll.bytes.toString('utf8'));
    if (body?.status === 'completed' || body?.status === 'failed') {
      const ms = performance.now() - started;
      stats.record('backup', ms, body.status, body.status === 'completed', body.error ?? undefined);
      return { status: body.status, ms, key: body.storage?.key, sizeBytes: body.size_bytes, error: body.error ?? undefined };
    }
  }
  return { status: 'still running after 300 s', ms: performance.now() - started };
}

/** Waits (up to 3 minutes) until no transformation of the run is queued or processing; counts them by status. */
async function settleTransforms(service: LoadService, expected: number): Promise<Record<string, number>> {
  const until = Date.now() + 180_000;
  for (;;) {
    const { rows } = await service.db.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM file_transformations GROUP BY status');
    const counts = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    const open = rows.filter((r) => !['completed', 'failed', 'cancelled'].includes(r.status)).reduce((s, r) => s + r.n, 0);
    if (open === 0 || Date.now() > until) return { ...counts, requested: expected };
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Redis effects owed after a commit are applied before the answer, or by the relay soon after: wait for none left. */
async function drainOutbox(service: LoadService): Promise<void> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const { rows } = await service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM data_outbox WHERE applied_at IS NULL');
    if (rows[0]!.n === 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

function memoryOf(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function formatReport(report: LoadReport): string {
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  const f = report.figures;
  const statuses = (kind: string) => report.stats.kinds.get(kind)?.latenciesMs.length ?? 0;
  const lines = [
    `Load suite: ${report.clients} clients × ${report.seconds} s, ${report.stats.total()} requests; machine ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
    '',
    formatStats(report.stats, report.seconds),
    '',
    `transactions committed ${f.committed}, rows ${f.rows}, Redis counters ${f.redisCounter} (Redis effects answered pending: ${report.ledger.redisPending}; no answer: ${report.ledger.uncertain.size})`,
    `uploads checked by download + sha256: ${f.uploadsChecked}; objects in STORAGE_DIR ${f.objects}, distinct files keys ${f.fileRows}`,
    `query cache: ${statuses('query_hit')} hits of ${statuses('query_hit') + statuses('query_miss')} repeated queries`,
    `transforms: ${JSON.stringify(report.transforms)}; backup: ${report.backup.status} in ${(report.backup.ms / 1000).toFixed(1)} s${report.backup.sizeBytes ? `, ${report.backup.sizeBytes} bytes` : ''}`,
    `service peak RSS (VmHWM): ${mib(report.peakRssBytes)}; RSS after the run: ${mib(report.rssAfterBytes)}`,
    report.violations.length === 0 ? 'invariants: all hold' : `INVARIANTS VIOLATED:\n- ${report.violations.join('\n- ')}`,
  ];
  return lines.join('\n');
}
