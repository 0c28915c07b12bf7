import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { aToken } from '../tests/support/tokens';
import { freePort } from '../tests/support/free-port';
import { ServiceProcess } from '../tests/support/service-process';
import { createBenchDatabase, type BenchDatabase } from './support/bench-database';
import { benchKeyring, reportEncryptionComparison, runEncryptionComparison } from './support/encryption-comparison';
import { NginxServer } from './support/nginx-server';
import { RssSampler, serviceRssBytes } from './support/rss-sampler';
import { runUploadComparison, UPLOAD_SIZES_MB } from './support/upload-comparison';
import { curlDownload, hasCurl, runTransfer, stopTransfers, timeCommand } from './support/run-transfer';
import type { TransferResult } from './support/transfer-worker';

/**
 * `npm run bench:storage`: a 1 GiB file uploaded to and downloaded from the service (disk provider),
 * against copying the same bytes on the same disk and against nginx serving the same file, in one run.
 * Needs PostgreSQL as the tests find it, and nginx (installed with apt-get when run as root).
 * Then issue 11's section: the same file through a second service with ENCRYPTION_KEYS, upload,
 * download and Range reads interleaved with the first (support/encryption-comparison.ts).
 */
/** BENCH_QUICK=1: a short run (128 MiB, 2 runs, no issue 10 upload comparison), to check it works in a few minutes. */
const QUICK = process.env.BENCH_QUICK === '1';
const FILE_MB = Number(process.env.BENCH_FILE_MB ?? (QUICK ? 128 : 1024));
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 2 : 3));
/** `uploads`: only issue 10's upload comparison (upload-comparison.ts), not the 1 GiB upload/download section. */
const ONLY_UPLOADS = process.env.BENCH_ONLY === 'uploads';
/** `encryption`: only issue 11's clear / encrypted comparison (no nginx, no upload comparison, no copy baselines). */
const ONLY_ENCRYPTION = process.env.BENCH_ONLY === 'encryption';
const RANGE_COUNT = Number(process.env.BENCH_RANGE_COUNT ?? (QUICK ? 100 : 400));
const RANGE_BYTES = Number(process.env.BENCH_RANGE_KB ?? 256) * 1024;
const SECRET = 'bench-secret-that-is-long-enough-for-production-use-0123456789';
const MB = 1e6;
const log = (line: string) => process.stdout.write(line);

interface Row {
  scenario: string;
  seconds: number[];
  bytes: number;
}

/** The same settings for both services of the run; the encrypted one adds ENCRYPTION_KEYS. */
function serviceEnv(port: number, dataDir: string, databaseUrl: string): Record<string, string> {
  return {
    NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: databaseUrl,
    JWT_SECRET: SECRET, STORAGE_SIGNING_SECRET: `${SECRET}-signing`, MIGRATE_ON_START: 'true', LOG_LEVEL: 'warn', PROMETHEUS_PORT: '0',
    STORAGE_PROVIDER: 'local_disk', MAX_FILE_SIZE: `${Math.max(FILE_MB, ...UPLOAD_SIZES_MB) + 1}mb`, STORAGE_QUOTA_USER: 'unlimited',
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, RATE_LIMIT_USER: '1000000000', TRASH_PURGE_INTERVAL_MS: '3600000',
    // Production refuses to start without one; no backup runs here.
    BACKUP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  };
}

async function main(): Promise<void> {
  const nginxBinary = ONLY_ENCRYPTION ? '' : NginxServer.ensureInstalled(log);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-storage-bench-'));
  // nginx's workers must read the file whoever they run as.
  fs.chmodSync(tmp, 0o755);
  let db: BenchDatabase | undefined;
  let encryptedDb: BenchDatabase | undefined;
  let service: ServiceProcess | undefined;
  let encryptedService: ServiceProcess | undefined;
  let nginx: NginxServer | undefined;
  const cleanup = async () => {
    await stopTransfers();
    await service?.stop('SIGTERM').catch(() => undefined);
    await encryptedService?.stop('SIGTERM').catch(() => undefined);
    await nginx?.stop().catch(() => undefined);
    await db?.drop().catch(() => undefined);
    await encryptedDb?.drop().catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  };
  const onSignal = (signal: NodeJS.Signals) => void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const www = path.join(tmp, 'www');
    fs.mkdirSync(www, { mode: 0o755 });
    const source = path.join(www, 'bench.bin');

    db = await createBenchDatabase();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    service = new ServiceProcess({
      ...serviceEnv(port, path.join(tmp, 'service'), db.url),
      // BENCH_CPU_PROF_DIR: a V8 CPU profile of the service, written when it stops (support/cpu-profile-preload.cjs).
      ...(process.env.BENCH_CPU_PROF_DIR
        ? { BENCH_CPU_PROF_DIR: process.env.BENCH_CPU_PROF_DIR, NODE_OPTIONS: `--require ${path.join(__dirname, 'support', 'cpu-profile-preload.cjs')}` }
        : {}),
    });
    service.start();
    await service.waitFor(`${base}/health`);
    const servicePid = service.pid!;
    // Issue 11: the same service with a keyring, its own database and folder, for the clear / encrypted comparison.
    const encryptedSection = async (source: string, md5: string) => {
      encryptedDb = await createBenchDatabase();
      const encryptedPort = await freePort();
      const encryptedBase = `http://127.0.0.1:${encryptedPort}`;
      encryptedService = new ServiceProcess({ ...serviceEnv(encryptedPort, path.join(tmp, 'service-encrypted'), encryptedDb.url), ENCRYPTION_KEYS: benchKeyring() });
      encryptedService.start();
      await encryptedService.waitFor(`${encryptedBase}/health`);
      const size = fs.statSync(source).size;
      const result = await runEncryptionComparison({
        clear: { base, pid: servicePid }, encrypted: { base: encryptedBase, pid: encryptedService.pid! }, secret: SECRET, source, md5, size, runs: RUNS,
        rangeCount: RANGE_COUNT, rangeBytes: RANGE_BYTES, log,
      }).catch((error: unknown) => {
        log(`encrypted service output (last 3000 characters):\n${encryptedService?.output.slice(-3000)}\n`);
        throw error;
      });
      reportEncryptionComparison(result, { size, runs: RUNS, log });
    };

    if (ONLY_ENCRYPTION) {
      log(`writing a ${FILE_MB} MiB file of random bytes to ${source}...\n`);
      await encryptedSection(source, await writeSourceFile(source, FILE_MB * 1024 * 1024));
      return;
    }

    // Issue 10: multipart, tus and resumable uploads against @tus/server and the stream copy (not in a quick run).
    if (!QUICK) {
      await runUploadComparison({ base, servicePid, secret: SECRET, tmp, writeSource: writeSourceFile, log }).catch((error: unknown) => {
        log(`service output (last 3000 characters):\n${service?.output.slice(-3000)}\n`);
        throw error;
      });
    }
    if (ONLY_UPLOADS) return;

    log(`writing a ${FILE_MB} MiB file of random bytes to ${source}...\n`);
    const md5 = await writeSourceFile(source, FILE_MB * 1024 * 1024);
    const size = fs.statSync(source).size;

    // 1. Uploads, each by its own user (the same content twice for one user is a 409), memory sampled.
    const rows: Row[] = [];
    const baselineRss = serviceRssBytes(servicePid);
    const sampler = new RssSampler(servicePid);
    const uploads: TransferResult[] = [];
    let fileId = '';
    let token = '';
    sampler.start();
    for (let i = 0; i < RUNS; i++) {
      sync();
      log(`upload ${i + 1}/${RUNS}...\n`);
      const userToken = await aToken({ role: 'user', sub: randomUUID(), secret: SECRET, ttlSeconds: 3600 });
      const result = await runTransfer({ kind: 'upload', url: `${base}/api/v1/storage/upload`, token: userToken, file: source, md5 });
      if (result.status !== 201) throw new Error(`upload answered ${result.status}: ${result.body?.slice(0, 500)}`);
      uploads.push(result);
      if (i === 0) {
        fileId = (JSON.parse(result.body ?? '{}') as { file: { id: string } }).file.id;
        token = userToken;
      }
    }
    const peakRss = sampler.stop();
    rows.push({ scenario: 'upload: POST /api/v1/storage/upload (multipart, streamed)', seconds: uploads.map((u) => u.seconds), bytes: size });

    // The same bytes copied on the same disk: a stream copy as the service writes, and cp.
    const copyTarget = path.join(tmp, 'copy.bin');
    const streamCopies: number[] = [];
    const cpCopies: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      sync();
      log(`copy ${i + 1}/${RUNS} (stream, cp)...\n`);
      streamCopies.push((await runTransfer({ kind: 'copy', from: source, to: copyTarget })).seconds);
      fs.rmSync(copyTarget);
      sync();
      cpCopies.push(await timeCommand('cp', [source, copyTarget]));
      fs.rmSync(copyTarget);
    }
    rows.push({ scenario: 'copy: createReadStream → createWriteStream', seconds: streamCopies, bytes: size });
    rows.push({ scenario: 'copy: cp', seconds: cpCopies, bytes: size });

    // 2. Downloads, read to the end and discarded by the same client.
    nginx = new NginxServer(path.join(tmp, 'nginx'), www, await freePort());
    fs.mkdirSync(path.join(tmp, 'nginx'), { mode: 0o755 });
    await nginx.start(nginxBinary);
    const downloads: Array<[string, Parameters<typeof runTransfer>[0]]> = [
      ['download: GET /api/v1/storage/stream/:id', { kind: 'download', url: `${base}/api/v1/storage/stream/${fileId}`, token, followRedirect: false }],
      ['download: GET /api/v1/storage/download/:id → 302 → signed URL', { kind: 'download', url: `${base}/api/v1/storage/download/${fileId}`, token, followRedirect: true }],
      ['download: nginx, same file', { kind: 'download', url: `http://127.0.0.1:${nginx.port}/bench.bin`, followRedirect: false }],
    ];
    // The same URLs fetched by curl as well, when it is there: a client that is not itself Node.
    const curl = hasCurl()
      ? downloads.map(([scenario, job]) => [`${scenario} (curl)`, job] as (typeof downloads)[number])
      : [];
    for (const [scenario, job] of [...downloads, ...curl]) {
      const seconds: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        log(`${scenario} ${i + 1}/${RUNS}...\n`);
        const result = scenario.endsWith('(curl)') && job.kind === 'download' ? await curlDownload(job.url, job.token) : await runTransfer(job);
        if (result.status !== 200 || result.bytes !== size) throw new Error(`${scenario}: status ${result.status}, ${result.bytes} of ${size} bytes`);
        seconds.push(result.seconds);
      }
      rows.push({ scenario, seconds, bytes: size });
    }

    report(rows, { baselineRss, peakRss, samples: sampler.samples, size, tmp, nginxVersion: nginxVersion(nginxBinary) });

    await encryptedSection(source, md5);
  } finally {
    await cleanup();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** Printable text first (4 KiB is what the service sniffs: random bytes are no accepted type), then random bytes; md5 on the way. */
async function writeSourceFile(file: string, bytes: number): Promise<string> {
  const hash = createHash('md5');
  const CHUNK = 1024 * 1024;
  const head = Buffer.from('Visiobook storage benchmark: the rest of this file is random bytes.\n'.repeat(128)).subarray(0, 8192);
  async function* chunks() {
    let written = 0;
    while (written < bytes) {
      const chunk = written === 0 ? Buffer.concat([head, randomBytes(CHUNK - head.length)]) : randomBytes(CHUNK);
      const part = chunk.subarray(0, Math.min(CHUNK, bytes - written));
      hash.update(part);
      written += part.length;
      yield part;
    }
  }
  await pipeline(Readable.from(chunks()), fs.createWriteStream(file, { mode: 0o644 }));
  return hash.digest('hex');
}

/** Dirty pages of the previous step written out, so each timed step starts from the same state. */
function sync(): void {
  execFileSync('sync');
}

function nginxVersion(binary: string): string {
  // nginx -v prints to stderr.
  const { stderr } = spawnSync(binary, ['-v'], { encoding: 'utf8' });
  return (stderr || 'nginx').replace('nginx version: ', '').trim();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const rate = (bytes: number, seconds: number) => bytes / MB / seconds;

function report(rows: Row[], run: { baselineRss: number; peakRss: number; samples: number; size: number; tmp: string; nginxVersion: string }): void {
  const best = (r: Row) => rate(r.bytes, Math.min(...r.seconds));
  const med = (r: Row) => rate(r.bytes, median(r.seconds));
  const disk = fs.statfsSync(run.tmp);
  log(`\nMachine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ` +
    `${run.nginxVersion}, ${((disk.bavail * disk.bsize) / 2 ** 30).toFixed(0)} GiB free on the disk of ${os.tmpdir()}\n`);
  log(`File: ${(run.size / 2 ** 20).toFixed(0)} MiB (${run.size} bytes), ${RUNS} runs each; MB/s = 10^6 bytes/s, wall time of the client process's transfer.\n\n`);
  log('| scenario | best MB/s | median MB/s | best s |\n|---|---:|---:|---:|\n');
  for (const r of rows) log(`| ${r.scenario} | ${best(r).toFixed(0)} | ${med(r).toFixed(0)} | ${Math.min(...r.seconds).toFixed(2)} |\n`);
  const find = (prefix: string) => rows.find((r) => r.scenario.startsWith(prefix))!;
  const [upload, streamCopy, cp] = [find('upload'), find('copy: createReadStream'), find('copy: cp')];
  const [stream, redirect, nginx] = [find('download: GET /api/v1/storage/stream'), find('download: GET /api/v1/storage/download'), find('download: nginx')];
  const ratio = (a: Row, b: Row) => `${(best(a) / best(b)).toFixed(2)} best, ${(med(a) / med(b)).toFixed(2)} median`;
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  log(`\nupload / stream copy: ${ratio(upload, streamCopy)}; upload / cp: ${ratio(upload, cp)} (target ≥ 0.6)\n`);
  log(`service RSS: ${mib(run.baselineRss)} before the uploads, peak ${mib(run.peakRss)} during them (+${mib(run.peakRss - run.baselineRss)}, ${run.samples} samples every 100 ms, file ${mib(run.size)})\n`);
  log(`stream / nginx: ${ratio(stream, nginx)}; download via redirect / nginx: ${ratio(redirect, nginx)} (target ≥ 0.8; Node client)\n`);
  const [streamCurl, redirectCurl, nginxCurl] = [find('download: GET /api/v1/storage/stream'), find('download: GET /api/v1/storage/download'), find('download: nginx')]
    .map((r) => rows.find((c) => c.scenario === `${r.scenario} (curl)`));
  if (streamCurl && redirectCurl && nginxCurl) {
    log(`stream / nginx: ${ratio(streamCurl, nginxCurl)}; download via redirect / nginx: ${ratio(redirectCurl, nginxCurl)} (target ≥ 0.8; curl)\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
