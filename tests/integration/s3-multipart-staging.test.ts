import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/adapters/object-store/s3-client';
import { S3ObjectStore } from '../../src/adapters/object-store/s3-object-store';
import { startS3rver, type RunningS3 } from '../support/s3rver';

const MiB = 1024 * 1024;

let s3: RunningS3;
let store: S3ObjectStore;
const bucket = `test-${randomBytes(4).toString('hex')}`;
beforeAll(async () => {
  s3 = await startS3rver();
  store = new S3ObjectStore({ endpoint: s3.endpoint, region: 'us-east-1', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, bucket });
  await store.ensureReady();
});
afterAll(async () => {
  store.close();
  await s3.stop();
});

async function* pieces(bytes: Buffer): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const part of stream) hash.update(part);
  return hash.digest('hex');
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** What the server was asked from `since` on, as "METHOD path ?query-names". */
const callsSince = (since: number) =>
  s3.requests.slice(since).map((r) => `${r.method} ${r.path.split('/').filter(Boolean).length > 1 ? 'object' : 'bucket'} ?${Object.keys(r.query).sort().join('&')}`);

/** Keys under the adapters' staging prefix, read with a client of the test's own. */
async function stagedObjects(): Promise<string[]> {
  const client = createS3Client({ endpoint: s3.endpoint, region: 'us-east-1', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, bucket });
  try {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: '.staging/' }));
    return (page.Contents ?? []).map((o) => o.Key!);
  } finally {
    client.destroy();
  }
}

describe('S3 multipart staging (s3rver, which enforces S3 part rules here: 5 MiB minimum, ETags)', () => {
  it('completes a tus upload of uneven appends with one CompleteMultipartUpload: no byte downloaded or uploaded again', async () => {
    const key = 'users/u/tus.bin';
    const content = randomBytes(13 * MiB + 17);
    const { uploadId } = await store.begin(key, 'video/mp4', { sizeBytes: content.length, partSize: MiB });
    const cuts = [0, 700 * 1024, 3 * MiB, 3 * MiB + 1, 9 * MiB + 5, content.length];
    for (let i = 1; i < cuts.length; i++) await store.write(key, uploadId, cuts[i - 1]!, pieces(content.subarray(cuts[i - 1], cuts[i])));

    const before = s3.requests.length;
    await expect(store.complete(key, uploadId, content.length, 'video/mp4')).resolves.toEqual({ size: content.length });
    const calls = callsSince(before);
    expect(calls.filter((c) => c.startsWith('PUT'))).toEqual([]);
    expect(calls.filter((c) => c === 'GET object ?')).toEqual([]);
    expect(calls).toContain('POST object ?uploadId');

    expect(await sha256Of(await store.get(key))).toBe(sha256(content));
    expect((await store.head(key))?.contentType).toBe('video/mp4');
    // The small objects that held partial parts between requests are gone.
    await expect(stagedObjects()).resolves.toEqual([]);
  }, 60_000);

  it('streams seed chunks larger than 5 MiB to their part numbers, in parallel and out of order, keeping a readable copy where asked', async () => {
    const key = 'users/u/chunks.bin';
    const partSize = 6 * MiB;
    const content = randomBytes(3 * partSize + 1234);
    const { uploadId } = await store.begin(key, 'application/octet-stream', { sizeBytes: content.length, partSize });
    const chunk = (i: number) => content.subarray(i * partSize, (i + 1) * partSize);
    await Promise.all([2, 3, 1].map((i) => store.write(key, uploadId, i * partSize, pieces(chunk(i)), { readBack: i === 2 })));
    expect(await sha256Of(await store.read(key, uploadId, { start: 2 * partSize, end: 3 * partSize - 1 }))).toBe(sha256(chunk(2)));
    await store.write(key, uploadId, 0, pieces(chunk(0)));

    const before = s3.requests.length;
    await store.complete(key, uploadId, content.length, 'application/octet-stream');
    expect(callsSince(before).filter((c) => c.startsWith('PUT') || c === 'GET object ?')).toEqual([]);
    expect(await sha256Of(await store.get(key))).toBe(sha256(content));
  }, 60_000);

  it('continues an upload from the upload id alone, as another instance serving the next request would', async () => {
    const key = 'users/u/two-instances.bin';
    const content = randomBytes(7 * MiB);
    const { uploadId } = await store.begin(key, 'application/octet-stream', { sizeBytes: content.length, partSize: MiB });
    await store.write(key, uploadId, 0, pieces(content.subarray(0, 2 * MiB + 3)));
    const other = new S3ObjectStore({ endpoint: s3.endpoint, region: 'us-east-1', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, bucket });
    try {
      await other.write(key, uploadId, 2 * MiB + 3, pieces(content.subarray(2 * MiB + 3)));
      await other.complete(key, uploadId, content.length, 'application/octet-stream');
    } finally {
      other.close();
    }
    expect(await sha256Of(await store.get(key))).toBe(sha256(content));
  }, 60_000);

  it('takes the retried bytes, not those of an earlier write whose offset was never committed', async () => {
    const key = 'users/u/retried.bin';
    const content = randomBytes(6 * MiB);
    const stale = Buffer.from(content.subarray(MiB, 4 * MiB)).fill(7);
    const { uploadId } = await store.begin(key, 'application/octet-stream', { sizeBytes: content.length, partSize: MiB });
    await store.write(key, uploadId, 0, pieces(content.subarray(0, MiB)));
    await store.write(key, uploadId, MiB, pieces(stale));
    await store.write(key, uploadId, MiB, pieces(content.subarray(MiB, 2 * MiB)));
    await store.write(key, uploadId, 2 * MiB, pieces(content.subarray(2 * MiB)));
    await store.complete(key, uploadId, content.length, 'application/octet-stream');
    expect(await sha256Of(await store.get(key))).toBe(sha256(content));
  }, 60_000);
});
