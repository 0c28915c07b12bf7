import { createCipheriv, randomBytes } from 'node:crypto';
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { aToken } from '../tests/support/tokens';
import { freePort } from '../tests/support/free-port';
import { ServiceProcess } from '../tests/support/service-process';
import { fillDatabase } from './support/backup-bench-data';
import { createBenchDatabase, type BenchDatabase } from './support/bench-database';
import { cpuSeconds, largestProcessUnder, PeakSampler, residentBytes } from './support/process-memory';

/**
 * `npm run bench:backup`: the service's backup (pg_dump → AES-256-GCM → object store) and restore into a
 * new database, against pg_dump -Fc to a file and pg_restore from it run directly, on a generated
 * database of BENCH_BACKUP_GIB GiB, interleaved over BENCH_ROUNDS rounds. Needs PostgreSQL as the tests
 * find it, with pg_dump/pg_restore of its major version on PATH.
 */
const GIB = Number(process.env.BENCH_BACKUP_GIB ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SECRET = 'bench-secret-that-is-long-enough-for-production-use-0123456789';
const MB = 1e6;
const MIB = 2 ** 20;
const log = (line: string) => process.stdout.write(line);

interface Sample {
  seconds: number;
  peakRss?: number;
  /** The service process's own CPU seconds meanwhile (pg_dump/pg_restore are other processes). */
  serviceCpu?: number;
  /** pg_dump's or pg_restore's own CPU seconds, for the direct runs. */
  toolCpu?: number;
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-backup-bench-'));
  const restored: string[] = [];
  let db: BenchDatabase | undefined;
  let service: ServiceProcess | undefined;
  const cleanup = async () => {
    await service?.stop('SIGTERM').catch(() => undefined);
    for (const name of restored) await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await db?.drop().catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  };
  const onSignal = (signal: NodeJS.Signals) => void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    db = await createBenchDatabase();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    service = new ServiceProcess({
      NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: path.join(tmp, 'service'), DATABASE_URL: db.url,
      JWT_SECRET: SECRET, STORAGE_SIGNING_SECRET: `${SECRET}-signing`, BACKUP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      MIGRATE_ON_START: 'true', LOG_LEVEL: 'warn', PROMETHEUS_PORT: '0', PUBLIC_BASE_URL: base, STORAGE_PROVIDER: 'local_disk',
      RATE_LIMIT_ADMIN: '1000000000', BACKUP_RETENTION_DAYS: '1', TRASH_PURGE_INTERVAL_MS: '3600000',
    });
    service.start();
    await service.waitFor(`${base}/health/live`);
    // Migrated before the data goes in, so the service's tables are in both kinds of archive.
    await service.waitFor(`${base}/health`);

    log(`generating ~${GIB} GiB in ${db.url.replace(/^.*\//, '')}...\n`);
    const generatedAt = Date.now();
    const dbBytes = await fillDatabase(db.url, GIB * 2 ** 30, log);
    log(`generated ${(dbBytes / MIB).toFixed(0)} MiB in ${((Date.now() - generatedAt) / 1000).toFixed(0)} s\n`);

    const servicePid = largestProcessUnder(service.pid!);
    const idleRss = residentBytes(servicePid);
    const admin = await aToken({ role: 'admin', secret: SECRET, ttlSeconds: 24 * 3600 });
    const api = new Api(base, admin);
    const dumpFile = path.join(tmp, 'direct.dump');

    const samples: Record<string, Sample[]> = { backup: [], pgDump: [], pgDumpCipher: [], restore: [], pgRestore: [] };
    let backupId = '';
    let archiveBytes = 0;
    let storedBytes = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      log(`round ${round}/${ROUNDS}: service backup...\n`);
      await settle();
      const backup = await measured(servicePid, () => api.backup());
      samples.backup!.push(backup.sample);
      backupId = backup.result.id;
      archiveBytes = backup.result.size_bytes;
      storedBytes = storedSize(path.join(tmp, 'service'), backup.result.storage.key);

      log(`round ${round}/${ROUNDS}: pg_dump -Fc -f file...\n`);
      fs.rmSync(dumpFile, { force: true });
      await settle();
      samples.pgDump!.push(await timedTool('pg_dump', ['-Fc', '-f', dumpFile, `--dbname=${db.url}`]));

      log(`round ${round}/${ROUNDS}: pg_dump -Fc | node aes-256-gcm > file (profile)...\n`);
      await settle();
      samples.pgDumpCipher!.push({ seconds: await dumpThroughCipher(db.url, path.join(tmp, 'cipher.dump')) });
      fs.rmSync(path.join(tmp, 'cipher.dump'), { force: true });
    }
    const dumpBytes = fs.statSync(dumpFile).size;

    for (let round = 1; round <= ROUNDS; round++) {
      const serviceTarget = `vb_bench_test_restore_s${round}_${randomBytes(3).toString('hex')}`;
      restored.push(serviceTarget);
      log(`round ${round}/${ROUNDS}: service restore into ${serviceTarget}...\n`);
      await settle();
      const restore = await measured(servicePid, () => api.restore(backupId, serviceTarget));
      samples.restore!.push(restore.sample);
      await adminQuery(`DROP DATABASE IF EXISTS ${serviceTarget} WITH (FORCE)`);

      const directTarget = `vb_bench_test_restore_d${round}_${randomBytes(3).toString('hex')}`;
      restored.push(directTarget);
      log(`round ${round}/${ROUNDS}: createdb + pg_restore -d ${directTarget} file...\n`);
      await settle();
      const started = process.hrtime.bigint();
      await adminQuery(`CREATE DATABASE ${directTarget}`);
      const tool = await timedTool('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${urlOf(db.url, directTarget)}`, dumpFile]);
      samples.pgRestore!.push({ ...tool, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
      await adminQuery(`DROP DATABASE IF EXISTS ${directTarget} WITH (FORCE)`);
    }

    report(samples, { dbBytes, archiveBytes, storedBytes, dumpBytes, idleRss, hwm: residentBytes(servicePid, 'VmHWM') });
  } finally {
    await cleanup();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** The admin API of the service, each call polled to its end. */
class Api {
  constructor(private readonly base: string, private readonly token: string) {}

  async backup(): Promise<{ id: string; size_bytes: number; storage: { key: string } }> {
    const started = await this.call('POST', '/api/v1/db/backup', { label: 'bench' }, 202);
    return this.poll(`/api/v1/db/backups/${started.id}`);
  }

  async restore(backupId: string, databaseName: string): Promise<unknown> {
    const started = await this.call('POST', `/api/v1/db/backups/${backupId}/restore`, { target: 'new_database', database_name: databaseName }, 202);
    return this.poll(`/api/v1/db/restores/${started.id}`);
  }

  private async poll(url: string): Promise<any> {
    for (;;) {
      const body = await this.call('GET', url, undefined, 200);
      if (body.status === 'completed') return body;
      if (body.status === 'failed') throw new Error(`${url} failed: ${body.error}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private async call(method: string, url: string, body: object | undefined, expected: number): Promise<any> {
    const res = await fetch(`${this.base}${url}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (res.status !== expected) throw new Error(`${method} ${url} answered ${res.status}: ${text.slice(0, 500)}`);
    return JSON.parse(text);
  }
}

/** Wall time of `work` and the service's peak resident memory meanwhile. */
async function measured<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; sample: Sample }> {
  const sampler = new PeakSampler(pid);
  sampler.start();
  const cpuBefore = cpuSeconds(pid);
  const started = process.hrtime.bigint();
  try {
    const result = await work();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { result, sample: { seconds, peakRss: sampler.stop(), serviceCpu: cpuSeconds(pid) - cpuBefore } };
  } finally {
    sampler.stop();
  }
}

/** Wall time of a PostgreSQL client tool, and its own CPU seconds (from /usr/bin/time when there is one). */
function timedTool(command: string, args: string[]): Promise<Sample> {
  const viaTime = fs.existsSync('/usr/bin/time');
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    execFile(viaTime ? '/usr/bin/time' : command, viaTime ? ['-f', 'TOOLCPU %U %S', command, ...args] : args, (error, _stdout, stderr) => {
      if (error) return reject(new Error(`${command} failed: ${stderr || error.message}`));
      const cpu = /TOOLCPU ([\d.]+) ([\d.]+)/.exec(stderr);
      resolve({ seconds: Number(process.hrtime.bigint() - started) / 1e9, toolCpu: cpu ? Number(cpu[1]) + Number(cpu[2]) : undefined });
    });
  });
}

/** Profile step: pg_dump's archive through Node's AES-256-GCM to a file, what the service adds short of its store. */
async function dumpThroughCipher(url: string, file: string): Promise<number> {
  const started = process.hrtime.bigint();
  const child = spawn('pg_dump', ['-Fc', `--dbname=${url}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const cipher = createCipheriv('aes-256-gcm', randomBytes(32), randomBytes(12));
  await pipeline(child.stdout, cipher, fs.createWriteStream(file));
  const code = await exited;
  if (code !== 0) throw new Error(`pg_dump exited with ${code}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** The encrypted object's size on the disk store, wherever under DATA_DIR the provider keeps its root. */
function storedSize(dataDir: string, key: string): number {
  const name = path.basename(key);
  const found = fs.readdirSync(dataDir, { recursive: true, encoding: 'utf8' }).find((entry) => entry.endsWith(key) || path.basename(entry) === name);
  return found ? fs.statSync(path.join(dataDir, found)).size : 0;
}

/** Dirty pages written out and a checkpoint taken, so each timed step starts from the same state. */
async function settle(): Promise<void> {
  await adminQuery('CHECKPOINT');
  execFileSync('sync');
}

function urlOf(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test' });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function report(
  samples: Record<string, Sample[]>,
  run: { dbBytes: number; archiveBytes: number; storedBytes: number; dumpBytes: number; idleRss: number; hwm: number },
): void {
  const med = (key: string) => median(samples[key]!.map((s) => s.seconds));
  const rate = (key: string) => run.dbBytes / MB / med(key);
  const peak = (key: string) => Math.max(...samples[key]!.map((s) => s.peakRss ?? 0));
  const mib = (bytes: number) => `${(bytes / MIB).toFixed(0)} MiB`;
  const rows: Array<[string, string]> = [
    ['backup: POST /api/v1/db/backup → completed (pg_dump -Fc → AES-256-GCM → local disk store)', 'backup'],
    ['backup baseline: pg_dump -Fc -f file', 'pgDump'],
    ['profile: pg_dump -Fc piped through Node aes-256-gcm → file', 'pgDumpCipher'],
    ['restore: POST /api/v1/db/backups/{id}/restore new_database → completed', 'restore'],
    ['restore baseline: createdb + pg_restore -d newdb file', 'pgRestore'],
  ];
  log(`\nMachine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ` +
    `${execFileSync('pg_dump', ['--version'], { encoding: 'utf8' }).trim()}\n`);
  log(`Database: ${mib(run.dbBytes)} (pg_database_size); archive ${mib(run.archiveBytes)} (service, plaintext), ${mib(run.storedBytes)} stored encrypted, ` +
    `${mib(run.dumpBytes)} (direct pg_dump); ${ROUNDS} rounds interleaved; MB/s = database bytes / 10^6 / median wall seconds.\n\n`);
  log('| scenario | median s | runs s | MB/s | service peak RSS | CPU s of the service (of the tool, direct runs) |\n|---|---:|---|---:|---:|---|\n');
  for (const [label, key] of rows) {
    const rss = samples[key]!.some((s) => s.peakRss) ? mib(peak(key)) : '';
    const cpuOf = (s: Sample) => (s.serviceCpu !== undefined ? s.serviceCpu.toFixed(1) : s.toolCpu !== undefined ? `(${s.toolCpu.toFixed(1)})` : '');
    const cpu = samples[key]!.map(cpuOf).filter(Boolean).join(', ');
    log(`| ${label} | ${med(key).toFixed(1)} | ${samples[key]!.map((s) => s.seconds.toFixed(1)).join(', ')} | ${rate(key).toFixed(1)} | ${rss} | ${cpu} |\n`);
  }
  const backupRatio = rate('backup') / rate('pgDump');
  const restoreRatio = rate('restore') / rate('pgRestore');
  const growth = Math.max(peak('backup'), peak('restore')) - run.idleRss;
  log(`\nbackup service / pg_dump: ${backupRatio.toFixed(2)} (target ≥ 0.8, encryption on: ${backupRatio >= 0.8 ? 'met' : 'missed'})\n`);
  log(`restore service / pg_restore: ${restoreRatio.toFixed(2)}\n`);
  log(`pg_dump through a Node cipher / pg_dump: ${(rate('pgDumpCipher') / rate('pgDump')).toFixed(2)}\n`);
  log(`service RSS: idle ${mib(run.idleRss)}, peak ${mib(peak('backup'))} during backups, ${mib(peak('restore'))} during restores ` +
    `(+${mib(growth)}; target ≤ +64 MiB: ${growth <= 64 * MIB ? 'met' : 'missed'}); VmHWM at the end ${mib(run.hwm)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
