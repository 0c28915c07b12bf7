import { createReadStream, createWriteStream, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import http from 'node:http';
import { pipeline } from 'node:stream/promises';
import * as tus from 'tus-js-client';

/**
 * One timed transfer in its own process (the service runs in another): an upload as a streamed
 * multipart body, a download read to the end and discarded, or the stream copy baseline.
 * Input: a JSON job in argv[2]; output: a TransferResult on stdout.
 */
export type TransferJob =
  | { kind: 'upload'; url: string; token: string; file: string; md5: string }
  | { kind: 'download'; url: string; token?: string; followRedirect: boolean }
  | { kind: 'copy'; from: string; to: string }
  /** tus-js-client from the file's path; chunkSize null: the whole file in one PATCH. */
  | { kind: 'tus'; endpoint: string; token: string; file: string; chunkSize: number | null; metadata: Record<string, string> }
  /** The seed's resumable protocol: init, then chunks PUT by `parallel` loops; per-chunk md5s precomputed in `md5File` (JSON array). */
  | { kind: 'resumable'; base: string; token: string; file: string; chunkSize: number; parallel: number; md5File: string; mimeType: string }
  /** `count` Range GETs one after another on one keep-alive socket, `length` bytes each at `offsets` (off the segment grid); each must be a 206 of exactly that length. */
  | { kind: 'ranges'; url: string; token: string; offsets: number[]; length: number };

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
  const outcome =
    job.kind === 'upload' ? await upload(job)
    : job.kind === 'download' ? await download(job)
    : job.kind === 'tus' ? await tusUpload(job)
    : job.kind === 'resumable' ? await resumable(job)
    : job.kind === 'ranges' ? await ranges(job)
    : await copy(job);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const result: TransferResult = { ...outcome, seconds };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  // Keep-alive sockets (resumable) would hold the process open.
  keepAlive.destroy();
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

async function ranges(job: Extract<TransferJob, { kind: 'ranges' }>): Promise<Omit<TransferResult, 'seconds'>> {
  let bytes = 0;
  for (const offset of job.offsets) {
    const got = await new Promise<{ status: number; bytes: number }>((resolve, reject) => {
      const headers = { authorization: `Bearer ${job.token}`, range: `bytes=${offset}-${offset + job.length - 1}` };
      const req = http.get(job.url, { agent: keepAlive, headers }, (res) => {
        let n = 0;
        res.on('data', (c: Buffer) => {
          n += c.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes: n }));
        res.on('error', reject);
      });
      req.on('error', reject);
    });
    if (got.status !== 206 || got.bytes !== job.length) return { bytes, status: got.status, body: `range at ${offset}: ${got.status}, ${got.bytes} of ${job.length} bytes` };
    bytes += got.bytes;
  }
  return { bytes, status: 206 };
}

function tusUpload(job: Extract<TransferJob, { kind: 'tus' }>): Promise<Omit<TransferResult, 'seconds'>> {
  const size = statSync(job.file).size;
  let patches = 0;
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(createReadStream(job.file), {
      endpoint: job.endpoint,
      headers: { Authorization: `Bearer ${job.token}` },
      metadata: job.metadata,
      uploadSize: size,
      ...(job.chunkSize ? { chunkSize: job.chunkSize } : {}),
      retryDelays: [],
      onAfterResponse: (req, res) => {
        if (req.getMethod() === 'PATCH' && res.getStatus() === 204) patches++;
      },
      onError: reject,
      onSuccess: () => resolve({ bytes: size, status: 204, body: JSON.stringify({ url: upload.url, patches }) }),
    });
    upload.start();
  });
}

async function resumable(job: Extract<TransferJob, { kind: 'resumable' }>): Promise<Omit<TransferResult, 'seconds'>> {
  const size = statSync(job.file).size;
  const md5s = JSON.parse(readFileSync(job.md5File, 'utf8')) as string[];
  const auth = { authorization: `Bearer ${job.token}` };
  const init = await fetch(`${job.base}/api/v1/storage/upload/resumable/init`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ filename: 'bench.txt', file_size: size, mime_type: job.mimeType, chunk_size: job.chunkSize }),
  });
  const opened = (await init.json()) as { upload_session?: { session_id: string; total_chunks: number } };
  if (init.status !== 201 || !opened.upload_session) return { bytes: 0, status: init.status, body: JSON.stringify(opened) };
  const { session_id: sessionId, total_chunks: total } = opened.upload_session;
  const file = await open(job.file);
  let next = 0;
  let created: { status: number; body: string } | undefined;
  const loop = async () => {
    // Each loop reads its chunk into a buffer of its own and sends it: what a browser client does with File.slice.
    const buffer = Buffer.allocUnsafe(job.chunkSize);
    while (next < total) {
      const index = next++;
      const { bytesRead } = await file.read(buffer, 0, job.chunkSize, index * job.chunkSize);
      const body = await put(job, sessionId, index, md5s[index]!, buffer.subarray(0, bytesRead));
      if (body.status === 201) created = body;
      else if (body.status !== 200) throw new Error(`chunk ${index} answered ${body.status}: ${body.body.slice(0, 300)}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: job.parallel }, loop));
  } finally {
    await file.close();
  }
  return { bytes: size, status: created?.status ?? 0, body: created?.body };
}

function put(job: Extract<TransferJob, { kind: 'resumable' }>, sessionId: string, index: number, md5: string, chunk: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${job.base}/api/v1/storage/upload/resumable/chunk`, {
      method: 'PUT',
      agent: keepAlive,
      headers: {
        authorization: `Bearer ${job.token}`,
        'content-type': 'application/octet-stream',
        'content-length': String(chunk.length),
        'x-upload-session': sessionId,
        'x-chunk-index': String(index),
        'x-chunk-checksum': md5,
      },
    });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(chunk);
  });
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 16 });

async function copy(job: Extract<TransferJob, { kind: 'copy' }>): Promise<Omit<TransferResult, 'seconds'>> {
  await pipeline(createReadStream(job.from), createWriteStream(job.to));
  return { bytes: statSync(job.to).size, status: 0 };
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
