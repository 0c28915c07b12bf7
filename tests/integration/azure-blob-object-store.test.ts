import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { BlobServiceClient } from '@azure/storage-blob';
import { AzureBlobObjectStore } from '../../src/adapters/object-store/azure-blob-object-store';
import { StorageBackendError } from '../../src/domain/storage/errors';
import { objectStoreContract } from '../contract/object-store.contract';
import { uploadStagingContract } from '../contract/upload-staging.contract';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { freePort } from '../support/free-port';
import { assembledAtTheProvider } from '../support/staging-traffic';
import { TcpProxy } from '../support/tcp-proxy';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
}, 30_000);
afterAll(() => azurite.stop());

const containerName = () => `test-${randomBytes(4).toString('hex')}`;

objectStoreContract('AzureBlobObjectStore (Azurite)', async () => {
  const store = new AzureBlobObjectStore({ connectionString: azurite.connectionString, containerName: containerName() });
  await store.ensureReady();
  return { store, fetchableSigner: store, close: async () => undefined };
});

uploadStagingContract('AzureBlobObjectStore (Azurite)', async () => {
  const store = new AzureBlobObjectStore({ connectionString: azurite.connectionString, containerName: containerName() });
  await store.ensureReady();
  return { staging: store, store, close: async () => undefined };
});

assembledAtTheProvider('AzureBlobObjectStore (Azurite)', async () => {
  const relay = TcpProxy.forUrl(azurite.url);
  await relay.start();
  const store = new AzureBlobObjectStore({ accountName: azurite.accountName, accountKey: azurite.accountKey, url: relay.rewrite(azurite.url), containerName: containerName() });
  await store.ensureReady();
  return { staging: store, store, relay, close: () => relay.stop() };
});

describe('AzureBlobObjectStore', () => {
  it('creates its container on the first write when it was not ready at start', async () => {
    const store = new AzureBlobObjectStore({ connectionString: azurite.connectionString, containerName: containerName() });
    await store.put('users/u/late.txt', Readable.from([Buffer.from('late')]), { contentType: 'text/plain' });
    await expect(store.head('users/u/late.txt')).resolves.toMatchObject({ size: 4 });
  });

  it('works from an account, key and endpoint as well as from a connection string', async () => {
    const store = new AzureBlobObjectStore({ accountName: azurite.accountName, accountKey: azurite.accountKey, url: azurite.url, containerName: containerName() });
    await store.ensureReady();
    await store.ensureReady();
    await store.put('users/u/k.txt', Readable.from([Buffer.from('k')]), { contentType: 'text/plain' });
    await expect(store.head('users/u/k.txt')).resolves.toMatchObject({ size: 1, contentType: 'text/plain' });
  });

  it('drops the staged blocks on abort, and never empties a committed blob', async () => {
    const name = containerName();
    const store = new AzureBlobObjectStore({ connectionString: azurite.connectionString, containerName: name });
    await store.ensureReady();
    const plan = { sizeBytes: 10, partSize: 5 };
    const { uploadId } = await store.begin('users/u/a.bin', 'application/octet-stream', plan);
    await store.write('users/u/a.bin', uploadId, 0, Readable.from([Buffer.from('staged')]));
    await store.abort('users/u/a.bin', uploadId);
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(name);
    // A blob that no longer exists has no staged blocks either (Azure answers 404 for its block list).
    const listed = await container.getBlockBlobClient('users/u/a.bin').getBlockList('all').catch(() => null);
    expect(listed?.uncommittedBlocks ?? []).toEqual([]);
    await store.put('users/u/kept.bin', Readable.from([Buffer.from('kept')]), { contentType: 'application/octet-stream' });
    const second = await store.begin('users/u/kept.bin', 'application/octet-stream', plan);
    await store.write('users/u/kept.bin', second.uploadId, 0, Readable.from([Buffer.from('new')]));
    await store.abort('users/u/kept.bin', second.uploadId);
    await expect(store.head('users/u/kept.bin')).resolves.toMatchObject({ size: 4 });
  });

  it('answers 403 to a SAS URL whose signature was tampered with', async () => {
    const store = new AzureBlobObjectStore({ connectionString: azurite.connectionString, containerName: containerName() });
    await store.ensureReady();
    await store.put('users/u/s.txt', Readable.from([Buffer.from('secret')]), { contentType: 'text/plain' });
    const url = new URL(await store.signedUrl('users/u/s.txt', { expiresInSeconds: 60 }));
    const sig = url.searchParams.get('sig')!;
    url.searchParams.set('sig', (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1));
    expect((await fetch(url)).status).toBe(403);
  });

  it('reports an unreachable account as a StorageBackendError whose message holds no secret', async () => {
    const port = await freePort();
    const store = new AzureBlobObjectStore({
      accountName: azurite.accountName,
      accountKey: azurite.accountKey,
      url: `http://127.0.0.1:${port}/${azurite.accountName}`,
      containerName: 'down',
      maxTries: 1,
    });
    const error = await store.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageBackendError);
    expect((error as Error).message).not.toContain(azurite.accountKey);
    await expect(store.get('users/u/x.txt')).rejects.toBeInstanceOf(StorageBackendError);
    await expect(store.put('users/u/x.txt', Readable.from([Buffer.from('x')]), { contentType: 'text/plain' })).rejects.toBeInstanceOf(StorageBackendError);
  });
});
