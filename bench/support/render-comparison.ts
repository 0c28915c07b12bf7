import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { cpuSeconds } from './process-stats';

/**
 * Issue 15's renditions under CLIENTS concurrent clients: the first render of a 1920×1080 JPEG to a
 * 400-wide WebP (each request a new rendition: a distinct quality), against the same work by sharp
 * alone in-process; and the cached render, against /stream serving the very same bytes as a file.
 * BENCH_RENDER_ROUNDS rounds (default 3), each on a fresh copy of the JPEG (a comment segment that
 * differs, so new renditions); within a round the service and its baseline take turns by blocks of
 * requests. The figures are each round's and their medians; CPU per request besides.
 */
const CLIENTS = 10;
const FIRST_RENDERS = Number(process.env.BENCH_RENDERS ?? 60);
const CACHED_REQUESTS = Number(process.env.BENCH_CACHED ?? 1000);
const ROUNDS = Number(process.env.BENCH_RENDER_ROUNDS ?? 3);
/** Interleaving: the service and its baseline take turns by blocks of this many requests. */
const FIRST_BLOCK = 20;
const CACHED_BLOCK = 200;

export interface LatencyRow {
  scenario: string;
  ms: number[];
  totalMs: number;
  /** CPU ms per request: the service's process tree for the service's scenarios, this process's for sharp alone. */
  cpuMs: number;
}

export async function renderComparison(
  base: string,
  token: string,
  image: string,
  /** The image, already uploaded (the same user may not store it twice). */
  imageId: string,
  upload: (file: string, type: string) => Promise<string>,
  tmp: string,
  log: (line: string) => void,
  /** The service's process (its launcher: the tree is counted). */
  servicePid: number,
): Promise<{ rows: LatencyRow[]; lines: string[] }> {
  const auth = { Authorization: `Bearer ${token}` };
  const source = fs.readFileSync(image);
  const qualities = Array.from({ length: FIRST_RENDERS }, (_, i) => 100 - (i % 100));
  const get = async (url: string, expect?: string) => {
    const res = await fetch(url, { headers: auth });
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${body.toString('utf8', 0, 300)}`);
    if (expect && res.headers.get('x-render-cache') !== expect) throw new Error(`${url}: X-Render-Cache ${res.headers.get('x-render-cache')}, expected ${expect}`);
    return body;
  };

  const serviceCpu = () => cpuSeconds(servicePid) * 1000;
  const ownCpu = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  };

  log('render warm-up...\n');
  await get(`${base}/api/v1/storage/render/${imageId}?width=400&format=webp&quality=1`);
  await sharp(source).resize({ width: 400 }).webp({ quality: 1 }).toBuffer();

  const cachedUrl = `${base}/api/v1/storage/render/${imageId}?width=400&format=webp&quality=80`;
  const bytes = await get(cachedUrl);
  const copy = path.join(tmp, 'rendition-400.webp');
  fs.writeFileSync(copy, bytes);
  const copyId = await upload(copy, 'image/webp');
  const streamUrl = `${base}/api/v1/storage/stream/${copyId}`;
  const requests = Array.from({ length: CACHED_REQUESTS }, (_, i) => i);
  await pool(requests.slice(0, 50), () => get(cachedUrl, 'HIT'), ownCpu);
  await pool(requests.slice(0, 50), () => get(streamUrl), ownCpu);

  const rounds: LatencyRow[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const variant = path.join(tmp, `frame-round-${round}.jpg`);
    fs.writeFileSync(variant, withComment(source, `bench round ${round}`));
    const variantId = await upload(variant, 'image/jpeg');
    const service = (items: number[]) => pool(items, (q) => get(`${base}/api/v1/storage/render/${variantId}?width=400&format=webp&quality=${q}`, 'MISS'), serviceCpu);
    const alone = (items: number[]) => pool(items, async (q) => {
      await sharp(fs.readFileSync(variant), { limitInputPixels: 100_000_000 }).rotate().resize({ width: 400, fit: 'cover' }).webp({ quality: q }).toBuffer();
    }, ownCpu);
    const cached = (items: number[]) => pool(items, () => get(cachedUrl, 'HIT'), serviceCpu);
    const stream = (items: number[]) => pool(items, () => get(streamUrl), serviceCpu);
    const serviceFirst = round % 2 === 0;
    log(`round ${round + 1}/${ROUNDS}: ${FIRST_RENDERS} first renders and sharp alone in blocks of ${FIRST_BLOCK}, ` +
      `${CACHED_REQUESTS} cached renders and /stream of the same ${bytes.length} bytes in blocks of ${CACHED_BLOCK} (${serviceFirst ? 'service' : 'baseline'} first), ${CLIENTS} clients...\n`);
    const [first, sharpAlone] = await interleaved(service, alone, qualities, FIRST_BLOCK, serviceFirst);
    const [hit, streamed] = await interleaved(cached, stream, requests, CACHED_BLOCK, serviceFirst);
    rounds.push([
      { scenario: 'first render 1920×1080 JPEG → 400w WebP (service, new rendition each)', ...first },
      { scenario: 'sharp alone in-process (same resize + WebP)', ...sharpAlone },
      { scenario: `cached render (${bytes.length} B WebP)`, ...hit },
      { scenario: '/stream of the same bytes', ...streamed },
    ]);
  }

  const p = (row: LatencyRow, q: number) => percentile(row.ms, q);
  const rate = (row: LatencyRow) => (row.ms.length / row.totalMs) * 1000;
  const firstRatio = (rows: LatencyRow[]) => p(rows[0]!, 50) / p(rows[1]!, 50);
  const cachedRatio = (rows: LatencyRow[]) => rate(rows[2]!) / rate(rows[3]!);
  const lines: string[] = [];
  rounds.forEach((rows, i) => {
    lines.push(`round ${i + 1}:`);
    for (const r of rows) {
      lines.push(`  ${r.scenario.padEnd(72)} p50 ${p(r, 50).toFixed(1).padStart(7)} ms  p99 ${p(r, 99).toFixed(1).padStart(7)} ms  ${rate(r).toFixed(0).padStart(6)} req/s  CPU ${r.cpuMs.toFixed(2).padStart(6)} ms/req`);
    }
    lines.push(`  first / sharp (p50) ${firstRatio(rows).toFixed(2)}; cached / stream (req/s) ${cachedRatio(rows).toFixed(2)}`);
  });
  const med = (f: (rows: LatencyRow[]) => number) => median(rounds.map(f));
  lines.push(
    `medians of ${rounds.length} rounds: first render p50 ${med((r) => p(r[0]!, 50)).toFixed(1)} ms, p99 ${med((r) => p(r[0]!, 99)).toFixed(1)} ms; ` +
      `sharp alone p50 ${med((r) => p(r[1]!, 50)).toFixed(1)} ms, p99 ${med((r) => p(r[1]!, 99)).toFixed(1)} ms; ` +
      `cached p50 ${med((r) => p(r[2]!, 50)).toFixed(1)} ms, ${med((r) => rate(r[2]!)).toFixed(0)} req/s; /stream p50 ${med((r) => p(r[3]!, 50)).toFixed(1)} ms, ${med((r) => rate(r[3]!)).toFixed(0)} req/s`,
    `CPU ms per request (medians): first render ${med((r) => r[0]!.cpuMs).toFixed(2)} (service), sharp alone ${med((r) => r[1]!.cpuMs).toFixed(2)} (bench process), ` +
      `cached ${med((r) => r[2]!.cpuMs).toFixed(2)}, /stream ${med((r) => r[3]!.cpuMs).toFixed(2)} (service)`,
    `first render / sharp alone, p50: ${med(firstRatio).toFixed(2)} (median of ${rounds.map((r) => firstRatio(r).toFixed(2)).join(', ')}; target ≤ 1.5); ` +
      `throughput sharp/service: ${med((r) => rate(r[1]!) / rate(r[0]!)).toFixed(2)}`,
    `cached render / stream route, throughput: ${med(cachedRatio).toFixed(2)} (median of ${rounds.map((r) => cachedRatio(r).toFixed(2)).join(', ')}; target ≥ 0.8)`,
  );
  return { rows: rounds.flat(), lines };
}

type Measured = { ms: number[]; totalMs: number; cpuMs: number };

/**
 * `a` and `b` over `items`, block by block (a b, b a, a b... from `aFirst`), so that both see the same
 * moments of a shared machine; each one's blocks merged (latencies, wall time, CPU per item).
 */
async function interleaved<T>(a: (items: T[]) => Promise<Measured>, b: (items: T[]) => Promise<Measured>, items: T[], block: number, aFirst: boolean): Promise<[Measured, Measured]> {
  const merged: [Measured, Measured] = [{ ms: [], totalMs: 0, cpuMs: 0 }, { ms: [], totalMs: 0, cpuMs: 0 }];
  const add = (into: Measured, m: Measured) => {
    into.cpuMs = (into.cpuMs * into.ms.length + m.cpuMs * m.ms.length) / (into.ms.length + m.ms.length);
    into.ms.push(...m.ms);
    into.totalMs += m.totalMs;
  };
  for (let i = 0, turn = aFirst; i < items.length; i += block, turn = !turn) {
    const slice = items.slice(i, i + block);
    if (turn) {
      add(merged[0], await a(slice));
      add(merged[1], await b(slice));
    } else {
      add(merged[1], await b(slice));
      add(merged[0], await a(slice));
    }
  }
  return merged;
}

/** The JPEG with a comment segment (COM) after its SOI marker: the same pixels, another sha256. */
function withComment(jpeg: Buffer, text: string): Buffer {
  const comment = Buffer.from(text, 'latin1');
  const segment = Buffer.alloc(4 + comment.length);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(2 + comment.length, 2);
  comment.copy(segment, 4);
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
}

/** Runs `work` over `items` with CLIENTS at a time; each item's latency, the wall time of all, and `cpu()` ms per item. */
async function pool<T>(items: T[], work: (item: T) => Promise<unknown>, cpu: () => number): Promise<Measured> {
  const ms: number[] = [];
  let next = 0;
  const cpuBefore = cpu();
  const start = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      const t0 = performance.now();
      await work(item);
      ms.push(performance.now() - t0);
    }
  }));
  const totalMs = performance.now() - start;
  return { ms, totalMs, cpuMs: (cpu() - cpuBefore) / items.length };
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1))] ?? NaN;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
