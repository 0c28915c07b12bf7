import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { BlobClient, BlockBlobClient, BlobServiceClient } from '@azure/storage-blob';
import { AzureBlobObjectStore } from '../../src/adapters/object-store/azure-blob-object-store';
import { startAzurite, type RunningAzurite } from '../support/azurite';

const MiB = 1024 * 1024;

let azurite: RunningAzurite;
let store: AzureBlobObjectStore;
const containerName = `test-${randomBytes(4).toString('hex')}`;
beforeAll(async () => {
  azurite = await startAzurite();
  store = new AzureBlobObjectStore({ connectionString: azurite.connectionString, containerName });
  await store.ensureReady();
}, 30_000);
afterAll(() => azurite.stop());
afterEach(() => jest.restoreAllMocks());

async function* pieces(bytes: Buffer): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const part of stream) hash.update(part);
  return hash.digest('hex');
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function blobNames(prefix: string): Promise<string[]> {
  const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(containerName);
  const names: string[] = [];
  for await (const item of container.listBlobsFlat({ prefix })) names.push(item.name);
  return names;
}

/** Every call that moves bytes, counted while `work` runs. */
async function bytesMovedDuring(work: () => Promise<unknown>): Promise<Record<string, number>> {
  const spies = {
    download: jest.spyOn(BlobClient.prototype, 'download'),
    stageBlock: jest.spyOn(BlockBlobClient.prototype, 'stageBlock'),
    upload: jest.spyOn(BlockBlobClient.prototype, 'upload'),
    uploadStream: jest.spyOn(BlockBlobClient.prototype, 'uploadStream'),
    commitBlockList: jest.spyOn(BlockBlobClient.prototype, 'commitBlockList'),
  };
  await work();
  return Object.fromEntries(Object.entries(spies).map(([name, spy]) => [name, spy.mock.calls.length]));
}

describe('Azure block staging (Azurite)', () => {
  it('completes a tus upload of uneven appends by committing its block list: no byte downloaded or uploaded again', async () => {
    const key = 'users/u/tus.bin';
    const content = randomBytes(11 * MiB + 17);
    const { uploadId } = await store.begin(key, 'video/mp4', { sizeBytes: content.length, partSize: MiB });
    const cuts = [0, 1, 700 * 1024, 3 * MiB + 1, 9 * MiB + 5, content.length];
    for (let i = 1; i < cuts.length; i++) await store.write(key, uploadId, cuts[i - 1]!, pieces(content.subarray(cuts[i - 1], cuts[i])));

    const calls = await bytesMovedDuring(() => store.complete(key, uploadId, content.length, 'video/mp4'));
    expect(calls).toEqual({ download: 0, stageBlock: 0, upload: 0, uploadStream: 0, commitBlockList: 1 });
    expect(await sha256Of(await store.get(key))).toBe(sha256(content));
    expect((await store.head(key))?.contentType).toBe('video/mp4');
  }, 60_000);

  it('commits the retried bytes, not the blocks of a write whose offset was never committed', async () => {
    const key = 'users/u/retried.bin';
    const content = randomBytes(10 * MiB);
    const { uploadId } = await store.begin(key, 'application/octet-stream', { sizeBytes: content.length, partSize: MiB });
    await store.write(key, uploadId, 0, pieces(content.subarray(0, MiB)));
    await store.write(key, uploadId, MiB, pieces(Buffer.alloc(9 * MiB, 7)));
    await store.write(key, uploadId, MiB, pieces(content.subarray(MiB, 2 * MiB + 3)));
    await store.write(key, uploadId, 2 * MiB + 3, pieces(content.subarray(2 * MiB + 3)));
    await store.complete(key, uploadId, content.length, 'application/octet-stream');
    expect(await sha256Of(await store.get(key))).toBe(sha256(content));
  }, 60_000);

  it('keeps a readable copy of chunks the caller reads back, and removes it on complete', async () => {
    const key = 'users/u/chunks.bin';
    const partSize = 2 * MiB;
    const content = randomBytes(2 * partSize + 99);
    const { uploadId } = await store.begin(key, 'application/octet-stream', { sizeBytes: content.length, partSize });
    await store.write(key, uploadId, 2 * partSize, pieces(content.subarray(2 * partSize)), { readBack: true });
    await store.write(key, uploadId, partSize, pieces(content.subarray(partSize, 2 * partSize)), { readBack: true });
    expect(await sha256Of(await store.read(key, uploadId, { start: partSize, end: content.length - 1 }))).toBe(sha256(content.subarray(partSize)));
    await store.write(key, uploadId, 0, pieces(content.subarray(0, partSize)));
    await store.complete(key, uploadId, content.length, 'application/octet-stream');
    expect(await sha256Of(await store.get(key))).toBe(sha256(content));
    await expect(blobNames('.staging/')).resolves.toEqual([]);
  }, 60_000);
});
