import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { BlobServiceClient } from '@azure/storage-blob';
import { AzureBlobObjectStore } from '../../src/adapters/object-store/azure-blob-object-store';
import { LocalDiskObjectStore } from '../../src/adapters/object-store/local-disk-object-store';
import { S3ObjectStore } from '../../src/adapters/object-store/s3-object-store';
import { objectListerContract } from '../contract/object-lister.contract';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { startS3rver, type RunningS3 } from '../support/s3rver';

let s3: RunningS3;
let azurite: RunningAzurite;
beforeAll(async () => {
  [s3, azurite] = await Promise.all([startS3rver(), startAzurite()]);
}, 30_000);
afterAll(async () => {
  await Promise.all([s3?.stop(), azurite?.stop()]);
});

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

objectListerContract('LocalDiskObjectStore', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-list-'));
  const store = new LocalDiskObjectStore(root);
  await store.ensureReady();
  return { store, close: () => fs.rm(root, { recursive: true, force: true }) };
});

objectListerContract('S3ObjectStore (s3rver)', async () => {
  const store = new S3ObjectStore({ endpoint: s3.endpoint, region: 'us-east-1', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, bucket: `test-${randomBytes(4).toString('hex')}` });
  await store.ensureReady();
  return { store, close: async () => store.close() };
});

objectListerContract('AzureBlobObjectStore (Azurite)', async () => {
  const store = new AzureBlobObjectStore({ connectionString: azurite.connectionString, containerName: `test-${randomBytes(4).toString('hex')}` });
  await store.ensureReady();
  return { store, close: async () => undefined };
});

describe('LocalDiskObjectStore leftovers', () => {
  it('lists the .partial of a cut put as a partial write, never as an object, and removes only leftovers', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-list-'));
    const store = new LocalDiskObjectStore(root);
    await store.ensureReady();
    await store.put('users/u/projects/none/kept_1.txt', Readable.from([Buffer.from('kept')]), { contentType: 'text/plain' });
    const partial = `users/u/projects/none/.cut_2.bin.${'a'.repeat(32)}.partial`;
    await fs.writeFile(path.join(root, partial), randomBytes(100));

    expect((await all(store.list())).map((o) => o.key)).toEqual(['users/u/projects/none/kept_1.txt']);
    const leftovers = await all(store.leftovers());
    expect(leftovers).toEqual([expect.objectContaining({ ref: partial, kind: 'partial_write', uploadTag: null, size: 100 })]);
    await store.removeLeftover(leftovers[0]!);
    await expect(fs.access(path.join(root, partial))).rejects.toThrow();
    // A forged leftover naming an object is refused.
    await expect(store.removeLeftover({ ...leftovers[0]!, ref: 'users/u/projects/none/kept_1.txt' })).rejects.toThrow();
    await expect(store.removeLeftover({ ...leftovers[0]!, ref: '../outside.partial' })).rejects.toThrow();
    await expect(store.head('users/u/projects/none/kept_1.txt')).resolves.toMatchObject({ size: 4 });
    await fs.rm(root, { recursive: true, force: true });
  });
});

describe('S3ObjectStore leftovers', () => {
  it('lists a begun multipart upload, before any part, as a leftover carrying the tag of its upload', async () => {
    const store = new S3ObjectStore({ endpoint: s3.endpoint, region: 'us-east-1', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, bucket: `test-${randomBytes(4).toString('hex')}` });
    await store.ensureReady();
    const { uploadId } = await store.begin('users/u/projects/none/mp_1.bin', 'application/octet-stream', { sizeBytes: 6 * 1024 * 1024, partSize: 6 * 1024 * 1024 });
    const leftovers = await all(store.leftovers());
    expect(leftovers.map((l) => l.uploadTag)).toEqual([store.uploadTagOf(uploadId)]);
    for (const l of leftovers) await store.removeLeftover(l);
    expect(await all(store.leftovers())).toEqual([]);
    store.close();
  });
});

describe('AzureBlobObjectStore leftovers', () => {
  it('lists the uncommitted blocks of a cut put as a partial write without a tag, and removes them', async () => {
    const containerName = `test-${randomBytes(4).toString('hex')}`;
    const store = new AzureBlobObjectStore({ connectionString: azurite.connectionString, containerName });
    await store.ensureReady();
    await store.put('users/u/projects/none/whole_1.txt', Readable.from([Buffer.from('whole')]), { contentType: 'text/plain' });
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(containerName);
    // What uploadStream leaves when the process dies before its commit: blocks under the SDK's own ids.
    await container.getBlockBlobClient('users/u/projects/none/cut_2.bin').stageBlock(Buffer.from('sdk-block-0001').toString('base64'), randomBytes(700), 700);

    expect((await all(store.list())).map((o) => o.key)).toEqual(['users/u/projects/none/whole_1.txt']);
    const leftovers = await all(store.leftovers());
    expect(leftovers).toEqual([expect.objectContaining({ kind: 'partial_write', uploadTag: null, size: 700 })]);
    await store.removeLeftover(leftovers[0]!);
    expect(await all(store.leftovers())).toEqual([]);
    await expect(store.head('users/u/projects/none/whole_1.txt')).resolves.toMatchObject({ size: 5 });
  });
});
