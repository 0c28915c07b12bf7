import { createHash, randomUUID } from 'node:crypto';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { aToken } from '../../tests/support/tokens';
import { freePort } from '../../tests/support/free-port';
import { cpuSeconds, peakRssBytes, resetPeakRss } from './process-stats';
import { RssSampler, serviceRssBytes } from './rss-sampler';
import { runTransfer } from './run-transfer';
import type { TransferJob, TransferResult } from './transfer-worker';

/**
 * Issue 10's upload comparison, over the HTTP API only (the upload internals change under it): the
 * service's multipart, tus (one PATCH and 8 MiB PATCHes, tus-js-client) and seed resumable uploads
 * (5 MiB chunks, 4 in parallel), against @tus/server 2 + @tus/file-store (a process started here, on
 * the same disk, verifying the same HS256 token on every request) and the Node stream copy.
 * BENCH_UPLOAD_SIZES_MB (default 256; e.g. "256,1024"), BENCH_UPLOAD_ROUNDS (default 3).
 */
export const UPLOAD_SIZES_MB = (process.env.BENCH_UPLOAD_SIZES_MB ?? '256').split(',').map(Number).filter((n) => n > 0);
const ROUNDS = Number(process.env.BENCH_UPLOAD_ROUNDS ?? 3);
const RESUMABLE_CHUNK = 5 * 1024 * 1024;
const TUS_CHUNK = 8 * 1024 * 1024;
const ROOT = path.resolve(__dirname, '..', '..');
const MB = 1e6;
const GIB = 2 ** 30;

export interface UploadComparisonOptions {
  base: string;
  servicePid: number;
  secret: string;
  tmp: string;
  writeSource(file: string, bytes: number): Promise<string>;
  log(line: string): void;
}

type Server = 'service' | 'peer' | 'none';
interface Scenario {
  name: string;
  server: Server;
  job(file: string, token: string): TransferJob;
  ok(result: TransferResult): boolean;
}
interface Sample {
  seconds: number;
  cpu: number;
  peakRss: number;
  /** The server's resident size just before the upload. */
  idleRss: number;
}

export async function runUploadComparison(o: UploadComparisonOptions): Promise<void> {
  const peerDir = path.join(o.tmp, 'tus-peer');
  fs.mkdirSync(peerDir, { recursive: true });
  const peerPort = await freePort();
  const peer = await startPeer(peerPort, peerDir, o.secret);
  // Ctrl-C ends the benchmark with process.exit: the peer goes with it.
  const stopPeer = () => peer.kill('SIGTERM');
  process.once('exit', stopPeer);
  try {
    for (const sizeMb of UPLOAD_SIZES_MB) {
      const source = path.join(o.tmp, `upload-${sizeMb}.bin`);
      o.log(`writing a ${sizeMb} MiB file for the upload comparison...\n`);
      const md5 = await o.writeSource(source, sizeMb * 1024 * 1024);
      const md5File = `${source}.md5s.json`;
      fs.writeFileSync(md5File, JSON.stringify(chunkMd5s(source, RESUMABLE_CHUNK)));
      const all = scenariosFor(o.base, `http://127.0.0.1:${peerPort}/files`, md5, md5File, path.join(o.tmp, 'upload-copy.bin'));
      // BENCH_UPLOAD_SCENARIOS: a comma list of words; a scenario runs when its name contains one (others are reported as not run).
      const wanted = process.env.BENCH_UPLOAD_SCENARIOS?.split(',').map((w) => w.trim()).filter(Boolean);
      const scenarios = wanted ? all.filter((s) => wanted.some((w) => s.name.includes(w))) : all;
      const samples = new Map<string, Sample[]>(scenarios.map((s) => [s.name, []]));
      o.log(`scenarios: ${scenarios.map((s) => s.name).join('; ')}\n`);
      for (let round = 0; round < ROUNDS; round++) {
        // Interleaved, and each round starts at another scenario, so drift on the shared machine spreads over all.
        const order = scenarios.map((_, i) => scenarios[(i + round) % scenarios.length]!);
        for (const scenario of order) {
          o.log(`${sizeMb} MiB, round ${round + 1}/${ROUNDS}: ${scenario.name}...\n`);
          // A failed scenario (the upload code changes during the work on issue 10) is reported, not fatal to the run.
          const sample = await measure(scenario, source, o, peer.pid!).catch((error: unknown) => {
            o.log(`  failed: ${String(error instanceof Error ? error.message : error).slice(0, 400)}\n`);
            return { seconds: NaN, cpu: NaN, peakRss: NaN, idleRss: NaN };
          });
          samples.get(scenario.name)!.push(sample);
          if (scenario.server === 'peer') emptyFolder(peerDir);
          fs.rmSync(path.join(o.tmp, 'upload-copy.bin'), { force: true });
        }
      }
      report(sizeMb * 1024 * 1024, all, samples, o.log);
      fs.rmSync(source, { force: true });
    }
  } finally {
    process.removeListener('exit', stopPeer);
    stopPeer();
  }
}

function scenariosFor(base: string, peerEndpoint: string, md5: string, md5File: string, copyTarget: string): Scenario[] {
  const metadata = { filename: 'bench.txt', filetype: 'text/plain' };
  const tusOk = (r: TransferResult) => r.status === 204;
  return [
    { name: 'stream copy', server: 'none', job: (file) => ({ kind: 'copy', from: file, to: copyTarget }), ok: () => true },
    {
      name: 'ours, multipart POST /upload',
      server: 'service',
      job: (file, token) => ({ kind: 'upload', url: `${base}/api/v1/storage/upload`, token, file, md5 }),
      ok: (r) => r.status === 201,
    },
    { name: 'ours, tus, one PATCH', server: 'service', job: (file, token) => ({ kind: 'tus', endpoint: `${base}/api/v1/storage/tus`, token, file, chunkSize: null, metadata }), ok: tusOk },
    { name: 'ours, tus, 8 MiB PATCHes', server: 'service', job: (file, token) => ({ kind: 'tus', endpoint: `${base}/api/v1/storage/tus`, token, file, chunkSize: TUS_CHUNK, metadata }), ok: tusOk },
    {
      name: 'ours, resumable, 5 MiB chunks, 4 parallel',
      server: 'service',
      job: (file, token) => ({ kind: 'resumable', base, token, file, chunkSize: RESUMABLE_CHUNK, parallel: 4, md5File, mimeType: 'text/plain' }),
      ok: (r) => r.status === 201,
    },
    { name: '@tus/server, one PATCH', server: 'peer', job: (file, token) => ({ kind: 'tus', endpoint: peerEndpoint, token, file, chunkSize: null, metadata }), ok: tusOk },
    { name: '@tus/server, 8 MiB PATCHes', server: 'peer', job: (file, token) => ({ kind: 'tus', endpoint: peerEndpoint, token, file, chunkSize: TUS_CHUNK, metadata }), ok: tusOk },
  ];
}

async function measure(scenario: Scenario, source: string, o: UploadComparisonOptions, peerPid: number): Promise<Sample> {
  const pid = scenario.server === 'peer' ? peerPid : o.servicePid;
  // Each upload by a new user: the same content twice for one user is a 409.
  const token = await aToken({ role: 'user', sub: randomUUID(), secret: o.secret, ttlSeconds: 3600 });
  execFileSync('sync');
  const idleRss = serviceRssBytes(pid);
  const cleared = resetPeakRss(pid);
  const sampler = new RssSampler(pid, 50);
  sampler.start();
  const cpuBefore = cpuSeconds(pid);
  const result = await runTransfer(scenario.job(source, token));
  const cpu = cpuSeconds(pid) - cpuBefore;
  const sampled = sampler.stop();
  if (!scenario.ok(result)) throw new Error(`${scenario.name}: status ${result.status}: ${result.body?.slice(0, 500)}`);
  if (scenario.server === 'none') return { seconds: result.seconds, cpu: NaN, peakRss: NaN, idleRss: NaN };
  return { seconds: result.seconds, cpu, peakRss: cleared ? Math.max(peakRssBytes(pid), sampled) : sampled, idleRss };
}

function startPeer(port: number, directory: string, secret: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(__dirname, 'tus-peer-server.mjs')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), DIRECTORY: directory, JWT_SECRET: secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening')) resolve(child);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`@tus/server peer exited (${code}): ${output}`)));
  });
}

function chunkMd5s(file: string, chunkSize: number): string[] {
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.allocUnsafe(chunkSize);
  const sums: string[] = [];
  try {
    for (let position = 0; ; position += chunkSize) {
      const read = fs.readSync(fd, buffer, 0, chunkSize, position);
      if (read === 0) break;
      sums.push(createHash('md5').update(buffer.subarray(0, read)).digest('hex'));
    }
  } finally {
    fs.closeSync(fd);
  }
  return sums;
}

function emptyFolder(folder: string): void {
  for (const entry of fs.readdirSync(folder)) fs.rmSync(path.join(folder, entry), { recursive: true, force: true });
}

function median(values: number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function report(size: number, scenarios: Scenario[], samples: Map<string, Sample[]>, log: (line: string) => void): void {
  const mib = (bytes: number) => (Number.isNaN(bytes) ? '—' : `${(bytes / 2 ** 20).toFixed(0)}`);
  const row = (name: string) => {
    const s = samples.get(name) ?? [];
    return {
      mbps: size / MB / median(s.map((x) => x.seconds)),
      all: s.map((x) => (Number.isNaN(x.seconds) ? 'failed' : (size / MB / x.seconds).toFixed(0))).join(', '),
      cpuPerGib: (median(s.map((x) => x.cpu)) * GIB) / size,
      rss: median(s.map((x) => x.peakRss)),
      growth: median(s.map((x) => x.peakRss - x.idleRss)),
    };
  };
  log(`\nUploads (issue 10), ${mib(size)} MiB, ${ROUNDS} interleaved rounds, medians; MB/s = 10^6 bytes/s of the client's wall time; ` +
    'CPU = utime+stime of the server process tree per GiB; peak RSS = VmHWM reset before each upload (or 50 ms VmRSS samples).\n\n');
  log('| upload | MB/s (median) | runs MB/s | server CPU s per GiB | server peak RSS MiB | growth over idle MiB |\n|---|---:|---:|---:|---:|---:|\n');
  for (const s of scenarios) {
    const r = row(s.name);
    log(`| ${s.name} | ${r.mbps.toFixed(0)} | ${r.all} | ${Number.isNaN(r.cpuPerGib) ? '—' : r.cpuPerGib.toFixed(2)} | ${mib(r.rss)} | ${mib(r.growth)} |\n`);
  }
  const [copy, multipart, tusOne, tusChunked, resumable, peerOne, peerChunked] = scenarios.map((s) => row(s.name));
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  log(`\ntus one PATCH / @tus/server one PATCH: ${ratio(tusOne!.mbps, peerOne!.mbps)} (target ≥ 1.0); 8 MiB PATCHes: ${ratio(tusChunked!.mbps, peerChunked!.mbps)}\n`);
  log(`multipart / stream copy: ${ratio(multipart!.mbps, copy!.mbps)} (target ≥ 0.6)\n`);
  log(`resumable 4-parallel / multipart: ${ratio(resumable!.mbps, multipart!.mbps)} (target ≥ 1.0)\n`);
  log(`server CPU per GiB, tus / @tus/server: one PATCH ${ratio(tusOne!.cpuPerGib, peerOne!.cpuPerGib)}, 8 MiB PATCHes ${ratio(tusChunked!.cpuPerGib, peerChunked!.cpuPerGib)} (target ≤ 2.0)\n`);
  log(`peak RSS, tus − @tus/server: one PATCH ${mib(tusOne!.rss - peerOne!.rss)} MiB, 8 MiB PATCHes ${mib(tusChunked!.rss - peerChunked!.rss)} MiB (target ≤ +64); growth over idle, tus − @tus/server: ${mib(tusOne!.growth - peerOne!.growth)}, ${mib(tusChunked!.growth - peerChunked!.growth)} MiB\n`);
}
