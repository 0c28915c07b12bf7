import { createReadStream, createWriteStream, statSync } from 'node:fs';
import http from 'node:http';
import { pipeline } from 'node:stream/promises';

/**
 * One timed transfer in its own process (the service runs in another): an upload as a streamed
 * multipart body, a download read to the end and discarded, or the stream copy baseline.
 * Input: a JSON job in argv[2]; output: a TransferResult on stdout.
 */
export type TransferJob =
  | { kind: 'upload'; url: string; token: string; file: string; md5: string }
  | { kind: 'download'; url: string; token?: string; followRedirect: boolean }
  | { kind: 'copy'; from: string; to: string };

export interface TransferResult {
  bytes: number;
  seconds: number;
  status: number;
  /** The upload's answer, or the redirect target. */
  body?: string;
}

const BOUNDARY = '----vb-bench-7d1c3f0e9a';
const agent = new http.Agent({ keepAlive: false });

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as TransferJob;
  const started = process.hrtime.bigint();
  const outcome = job.kind === 'upload' ? await upload(job) : job.kind === 'download' ? await download(job) : await copy(job);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const result: TransferResult = { ...outcome, seconds };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function upload(job: Extract<TransferJob, { kind: 'upload' }>): Promise<Omit<TransferResult, 'seconds'>> {
  const size = statSync(job.file).size;
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bench.txt"\r\nContent-Type: text/plain\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = http.request(job.url, {
      method: 'POST',
      agent,
      headers: {
        authorization: `Bearer ${job.token}`,
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        'content-length': String(head.length + size + tail.length),
        'x-file-checksum': job.md5,
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ bytes: size, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.write(head);
    const file = createReadStream(job.file, { highWaterMark: 1024 * 1024 });
    file.on('error', reject);
    file.on('end', () => req.end(tail));
    file.pipe(req, { end: false });
  });
}

async function download(job: Extract<TransferJob, { kind: 'download' }>): Promise<Omit<TransferResult, 'seconds'>> {
  const first = await get(job.url, job.token);
  if (!job.followRedirect || first.status < 300 || first.status >= 400 || !first.location) return first;
  return get(new URL(first.location, job.url).toString(), undefined);
}

function get(url: string, token: string | undefined): Promise<Omit<TransferResult, 'seconds'> & { location?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      res.on('end', () => resolve({ bytes, status: res.statusCode ?? 0, location: res.headers.location, body: res.headers.location }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function copy(job: Extract<TransferJob, { kind: 'copy' }>): Promise<Omit<TransferResult, 'seconds'>> {
  await pipeline(createReadStream(job.from), createWriteStream(job.to));
  return { bytes: statSync(job.to).size, status: 0 };
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
