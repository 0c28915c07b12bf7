import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

/**
 * Issue 15's renditions under CLIENTS concurrent clients: the first render of a 1920×1080 JPEG to a
 * 400-wide WebP (each request a new rendition: a distinct quality), against the same work by sharp
 * alone in-process; and the cached render, against /stream serving the very same bytes as a file.
 */
const CLIENTS = 10;
const FIRST_RENDERS = Number(process.env.BENCH_RENDERS ?? 60);
const CACHED_REQUESTS = Number(process.env.BENCH_CACHED ?? 1000);

export interface LatencyRow {
  scenario: string;
  ms: number[];
  totalMs: number;
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

  log('render warm-up...\n');
  await get(`${base}/api/v1/storage/render/${imageId}?width=400&format=webp&quality=1`);
  await sharp(source).resize({ width: 400 }).webp({ quality: 1 }).toBuffer();

  log(`first renders: ${FIRST_RENDERS}, ${CLIENTS} clients...\n`);
  const first = await pool(qualities, (q) => get(`${base}/api/v1/storage/render/${imageId}?width=400&format=webp&quality=${q}`, 'MISS'));
  log('sharp alone, the same work in this process...\n');
  const alone = await pool(qualities, async (q) => {
    await sharp(fs.readFileSync(image), { limitInputPixels: 100_000_000 }).rotate().resize({ width: 400, fit: 'cover' }).webp({ quality: q }).toBuffer();
  });

  const cachedUrl = `${base}/api/v1/storage/render/${imageId}?width=400&format=webp&quality=80`;
  const bytes = await get(cachedUrl);
  const copy = path.join(tmp, 'rendition-400.webp');
  fs.writeFileSync(copy, bytes);
  const copyId = await upload(copy, 'image/webp');
  const requests = Array.from({ length: CACHED_REQUESTS }, (_, i) => i);
  log(`cached renders and /stream of the same ${bytes.length} bytes: ${CACHED_REQUESTS} requests each, ${CLIENTS} clients...\n`);
  await pool(requests.slice(0, 50), () => get(cachedUrl, 'HIT'));
  await pool(requests.slice(0, 50), () => get(`${base}/api/v1/storage/stream/${copyId}`));
  const cached = await pool(requests, () => get(cachedUrl, 'HIT'));
  const stream = await pool(requests, () => get(`${base}/api/v1/storage/stream/${copyId}`));

  const rows: LatencyRow[] = [
    { scenario: 'first render 1920×1080 JPEG → 400w WebP (service, new rendition each)', ...first },
    { scenario: 'sharp alone in-process (same resize + WebP)', ...alone },
    { scenario: `cached render (${bytes.length} B WebP)`, ...cached },
    { scenario: '/stream of the same bytes', ...stream },
  ];
  const p = (row: LatencyRow, q: number) => percentile(row.ms, q);
  const rate = (row: LatencyRow) => (row.ms.length / row.totalMs) * 1000;
  const lines = [
    ...rows.map((r) => `${r.scenario.padEnd(72)} p50 ${p(r, 50).toFixed(1).padStart(7)} ms  p99 ${p(r, 99).toFixed(1).padStart(7)} ms  ${rate(r).toFixed(0).padStart(6)} req/s`),
    `first render / sharp alone, p50: ${(p(rows[0]!, 50) / p(rows[1]!, 50)).toFixed(2)} (target ≤ 1.5); throughput sharp/service: ${(rate(rows[1]!) / rate(rows[0]!)).toFixed(2)}`,
    `cached render / stream route, throughput: ${(rate(rows[2]!) / rate(rows[3]!)).toFixed(2)} (target ≥ 0.8); p50 ${p(rows[2]!, 50).toFixed(2)} vs ${p(rows[3]!, 50).toFixed(2)} ms`,
  ];
  return { rows, lines };
}

/** Runs `work` over `items` with CLIENTS at a time; each item's latency, and the wall time of all. */
async function pool<T>(items: T[], work: (item: T) => Promise<unknown>): Promise<{ ms: number[]; totalMs: number }> {
  const ms: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      const t0 = performance.now();
      await work(item);
      ms.push(performance.now() - t0);
    }
  }));
  return { ms, totalMs: performance.now() - start };
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1))] ?? NaN;
}
