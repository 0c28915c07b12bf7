import { randomBytes, randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { aToken } from '../../tests/support/tokens';
import { RssSampler, serviceRssBytes } from './rss-sampler';
import { runTransfer } from './run-transfer';
import type { TransferJob, TransferResult } from './transfer-worker';

/**
 * Issue 11's comparison: the same file uploaded to, downloaded from (whole, GET /stream/:id) and read
 * by Range from two services that differ only in ENCRYPTION_KEYS (one stores in clear, the other
 * encrypts with the segmented format), interleaved run by run so drift on a shared machine spreads
 * over both. Target: encrypted ≥ 0.8× clear throughput, the encrypting service's RSS flat.
 */
export interface EncryptionComparisonOptions {
  /** The service without a keyring, and the one with. */
  clear: { base: string; pid: number };
  encrypted: { base: string; pid: number };
  secret: string;
  source: string;
  md5: string;
  size: number;
  runs: number;
  /** Range GETs per run and bytes per range (BENCH_RANGE_COUNT, BENCH_RANGE_KB). */
  rangeCount: number;
  rangeBytes: number;
  log(line: string): void;
}

type Side = 'clear' | 'encrypted';
const SIDES: readonly Side[] = ['clear', 'encrypted'];
const MB = 1e6;

export interface EncryptionComparison {
  rows: Array<{ scenario: string; clear: number[]; encrypted: number[]; bytes: number }>;
  rss: Record<Side, { idle: number; peak: number }>;
}

/** A 64-bit xorshift: the same Range offsets for both services, off the 64 KiB segment grid. */
function offsetsFor(size: number, length: number, count: number, seed: bigint): number[] {
  let x = seed;
  const offsets: number[] = [];
  for (let i = 0; i < count; i++) {
    x ^= (x << 13n) & 0xffffffffffffffffn;
    x ^= x >> 7n;
    x ^= (x << 17n) & 0xffffffffffffffffn;
    offsets.push(Number(x % BigInt(Math.max(1, size - length))));
  }
  return offsets;
}

export async function runEncryptionComparison(o: EncryptionComparisonOptions): Promise<EncryptionComparison> {
  const services = { clear: o.clear, encrypted: o.encrypted };
  const samplers = { clear: new RssSampler(o.clear.pid), encrypted: new RssSampler(o.encrypted.pid) };
  const idle = { clear: serviceRssBytes(o.clear.pid), encrypted: serviceRssBytes(o.encrypted.pid) };
  const seconds = (): Record<Side, number[]> => ({ clear: [], encrypted: [] });
  const uploads = seconds();
  const downloads = seconds();
  const ranges = seconds();
  const files: Record<Side, { id: string; token: string } | undefined> = { clear: undefined, encrypted: undefined };
  const timed = async (side: Side, job: TransferJob, ok: (r: TransferResult) => boolean, what: string): Promise<TransferResult> => {
    const result = await runTransfer(job);
    if (!ok(result)) throw new Error(`${what} (${side}): status ${result.status}, ${result.bytes} bytes: ${result.body?.slice(0, 500) ?? ''}`);
    return result;
  };

  samplers.clear.start();
  samplers.encrypted.start();
  try {
    for (let i = 0; i < o.runs; i++) {
      // Each run starts at the other side: neither always goes first after a sync.
      const order = i % 2 === 0 ? SIDES : [...SIDES].reverse();
      for (const side of order) {
        execFileSync('sync');
        o.log(`encryption: upload ${i + 1}/${o.runs}, ${side}...\n`);
        // A new user each time: the same content twice for one user is a 409.
        const token = await aToken({ role: 'user', sub: randomUUID(), secret: o.secret, ttlSeconds: 3600 });
        const result = await timed(side, { kind: 'upload', url: `${services[side].base}/api/v1/storage/upload`, token, file: o.source, md5: o.md5 }, (r) => r.status === 201, 'upload');
        uploads[side].push(result.seconds);
        files[side] ??= { id: (JSON.parse(result.body ?? '{}') as { file: { id: string } }).file.id, token };
      }
    }
    for (let i = 0; i < o.runs; i++) {
      const order = i % 2 === 0 ? SIDES : [...SIDES].reverse();
      for (const side of order) {
        const file = files[side]!;
        const url = `${services[side].base}/api/v1/storage/stream/${file.id}`;
        o.log(`encryption: download ${i + 1}/${o.runs}, ${side}...\n`);
        downloads[side].push((await timed(side, { kind: 'download', url, token: file.token, followRedirect: false }, (r) => r.status === 200 && r.bytes === o.size, 'download')).seconds);
        o.log(`encryption: ${o.rangeCount} Range GETs ${i + 1}/${o.runs}, ${side}...\n`);
        const offsets = offsetsFor(o.size, o.rangeBytes, o.rangeCount, BigInt(i + 1) * 0x9e3779b97f4a7c15n);
        const job: TransferJob = { kind: 'ranges', url, token: file.token, offsets, length: o.rangeBytes };
        ranges[side].push((await timed(side, job, (r) => r.status === 206, 'ranges')).seconds);
      }
    }
  } finally {
    samplers.clear.stop();
    samplers.encrypted.stop();
  }
  return {
    rows: [
      { scenario: 'upload: POST /api/v1/storage/upload', ...uploads, bytes: o.size },
      { scenario: 'download: GET /api/v1/storage/stream/:id (whole file)', ...downloads, bytes: o.size },
      { scenario: `download: ${o.rangeCount} Range GETs of ${(o.rangeBytes / 1024).toFixed(0)} KiB at random offsets`, ...ranges, bytes: o.rangeCount * o.rangeBytes },
    ],
    rss: {
      clear: { idle: idle.clear, peak: samplers.clear.peakBytes },
      encrypted: { idle: idle.encrypted, peak: samplers.encrypted.peakBytes },
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function reportEncryptionComparison(result: EncryptionComparison, o: { size: number; runs: number; log(line: string): void }): void {
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  o.log(`\nEncryption at rest (issue 11): the same ${mib(o.size)} file, a service in clear and one with ENCRYPTION_KEYS, ${o.runs} interleaved runs, medians; ` +
    'MB/s = 10^6 bytes/s of the client\'s wall time.\n\n');
  o.log('| scenario | clear MB/s | encrypted MB/s | encrypted / clear (target ≥ 0.8) | runs clear | runs encrypted |\n|---|---:|---:|---:|---|---|\n');
  for (const row of result.rows) {
    const clear = row.bytes / MB / median(row.clear);
    const encrypted = row.bytes / MB / median(row.encrypted);
    const runs = (s: number[]) => s.map((x) => (row.bytes / MB / x).toFixed(0)).join(', ');
    o.log(`| ${row.scenario} | ${clear.toFixed(0)} | ${encrypted.toFixed(0)} | ${(encrypted / clear).toFixed(2)} | ${runs(row.clear)} | ${runs(row.encrypted)} |\n`);
  }
  for (const side of SIDES) {
    const { idle, peak } = result.rss[side];
    o.log(`service RSS (${side}): ${mib(idle)} before, peak ${mib(peak)} during this section (+${mib(peak - idle)}; file ${mib(o.size)})\n`);
  }
}

/** A keyring of one fresh key, as ENCRYPTION_KEYS takes it. */
export function benchKeyring(): string {
  return `bench1:${randomBytes(32).toString('base64')}`;
}
