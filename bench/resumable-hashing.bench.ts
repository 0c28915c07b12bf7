import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { HashWasmResumableHasher } from '../src/adapters/hashing/hash-wasm-resumable-hasher';
import { WorkerThreadResumableHasher } from '../src/adapters/hashing/worker-thread-resumable-hasher';
import { LocalDiskObjectStore } from '../src/adapters/object-store/local-disk-object-store';
import type { ResumableHasher } from '../src/application/ports/resumable-hasher.port';

/**
 * `npx tsx bench/resumable-hashing.bench.ts`: md5 + sha256 of a resumable upload (hash-wasm, state saved
 * at the end) on the event loop (HashWasmResumableHasher) against two threads (WorkerThreadResumableHasher).
 * "hash": BENCH_MIB MiB fed from memory in 64 KiB pieces. "patch": the same bytes sent by curl, one
 * request per upload (BENCH_PARALLEL uploads at once), to an HTTP server that does what a tus PATCH
 * does (hash each piece, write it in place through the service's LocalDiskObjectStore staging,
 * datasync, save the state). MB/s and the event
 * loop's utilisation (ELU), interleaved BENCH_ROUNDS times, medians. BENCH_DIR (default the temporary
 * folder) holds the body and the staged file: /dev/shm takes the disk out of the PATCH figures.
 */
const MIB = Number(process.env.BENCH_MIB ?? 256);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PIECE = 64 * 1024;

/** cpu: seconds of CPU (every thread of this process) per GiB. */
type Result = { mbps: number; elu: number; cpu: number };

async function hashOnly(hasher: ResumableHasher, data: Buffer): Promise<Result> {
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const run = await hasher.resume(null);
  for (let at = 0; at < data.length; at += PIECE) {
    const taken = run.update(data.subarray(at, at + PIECE));
    if (taken) await taken;
  }
  await run.save();
  const seconds = (performance.now() - t0) / 1000;
  return { mbps: data.length / 1e6 / seconds, elu: performance.eventLoopUtilization(elu0).utilization, cpu: cpuPerGib(cpu0, data.length) };
}

/** BENCH_PARALLEL uploads (default 1) of the file at once, each its own PATCH; MB/s of all together. */
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 1);

async function patch(hasher: ResumableHasher, staging: LocalDiskObjectStore, file: string, size: number): Promise<Result> {
  const uploads = await Promise.all(Array.from({ length: PARALLEL }, () => staging.begin('bench/upload.bin')));
  let next = 0;
  const server = http.createServer((req, res) => {
    const { uploadId } = uploads[next++]!;
    void (async () => {
      const run = await hasher.resume(null);
      async function* hashed(): AsyncGenerator<Buffer> {
        for await (const piece of req as AsyncIterable<Buffer>) {
          const taken = run.update(piece);
          if (taken) await taken;
          yield piece;
        }
      }
      const { bytes } = await staging.write('bench/upload.bin', uploadId, 0, hashed());
      await run.save();
      res.writeHead(204, { 'Upload-Offset': String(bytes) }).end();
    })().catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const sending = uploads.map(
    () =>
      new Promise<void>((resolve, reject) => {
        const curl = spawn('curl', ['-sS', '-f', '-X', 'PATCH', '-H', 'Content-Type: application/offset+octet-stream', '--data-binary', `@${file}`, `http://127.0.0.1:${port}/`]);
        curl.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`curl exited ${code}`))));
      }),
  );
  await Promise.all(sending);
  const seconds = (performance.now() - t0) / 1000;
  const elu = performance.eventLoopUtilization(elu0).utilization;
  const cpu = cpuPerGib(cpu0, size * PARALLEL);
  server.close();
  for (const { uploadId } of uploads) await staging.abort('bench/upload.bin', uploadId);
  return { mbps: (size * PARALLEL) / 1e6 / seconds, elu, cpu };
}

function cpuPerGib(from: NodeJS.CpuUsage, bytes: number): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1e6 / (bytes / 2 ** 30);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'vb-hash-bench-'));
  const data = randomBytes(MIB * 1024 * 1024);
  const file = path.join(dir, 'body.bin');
  await fs.writeFile(file, data);
  const staging = new LocalDiskObjectStore(path.join(dir, 'store'));
  await staging.ensureReady();
  const hashers: Record<string, ResumableHasher> = { 'event loop (hash-wasm)': new HashWasmResumableHasher(), 'two threads (hash-wasm)': new WorkerThreadResumableHasher() };
  const results: Record<string, { hash: Result[]; patch: Result[] }> = {};
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, hasher] of Object.entries(hashers)) {
        const r = (results[name] ??= { hash: [], patch: [] });
        r.hash.push(await hashOnly(hasher, data));
        r.patch.push(await patch(hasher, staging, file, data.length));
        process.stdout.write(`round ${round} ${name}: hash ${r.hash.at(-1)!.mbps.toFixed(0)} MB/s, patch ${r.patch.at(-1)!.mbps.toFixed(0)} MB/s\n`);
      }
    }
    process.stdout.write(`\n${MIB} MiB, PATCH ×${PARALLEL} in parallel, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}, medians of ${ROUNDS}\n`);
    process.stdout.write('| hasher | hash MB/s | hash ELU | hash CPU s/GiB | PATCH MB/s | PATCH ELU | PATCH CPU s/GiB |\n|---|---:|---:|---:|---:|---:|---:|\n');
    for (const [name, r] of Object.entries(results)) {
      const f = (xs: Result[]) => [median(xs.map((x) => x.mbps)).toFixed(0), median(xs.map((x) => x.elu)).toFixed(2), median(xs.map((x) => x.cpu)).toFixed(1)];
      process.stdout.write(`| ${name} | ${f(r.hash).join(' | ')} | ${f(r.patch).join(' | ')} |\n`);
    }
    const [a, b] = Object.values(results);
    process.stdout.write(`ratio threads / event loop: hash ${(median(b!.hash.map((x) => x.mbps)) / median(a!.hash.map((x) => x.mbps))).toFixed(2)}x, PATCH ${(median(b!.patch.map((x) => x.mbps)) / median(a!.patch.map((x) => x.mbps))).toFixed(2)}x\n`);
  } finally {
    await (hashers['two threads (hash-wasm)'] as WorkerThreadResumableHasher).close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
