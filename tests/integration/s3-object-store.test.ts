import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { S3ObjectStore } from '../../src/adapters/object-store/s3-object-store';
import { StorageBackendError } from '../../src/domain/storage/errors';
import { objectStoreContract } from '../contract/object-store.contract';
import { uploadStagingContract } from '../contract/upload-staging.contract';
import { freePort } from '../support/free-port';
import { assembledAtTheProvider } from '../support/staging-traffic';
import { TcpProxy } from '../support/tcp-proxy';
import { BlackholeProxy } from '../support/blackhole-proxy';
import { startS3rver, type RunningS3 } from '../support/s3rver';

let s3: RunningS3;
beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(() => s3.stop());

const settings = () => ({ endpoint: s3.endpoint, region: 'us-east-1', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, bucket: `test-${randomBytes(4).toString('hex')}` });

objectStoreContract('S3ObjectStore (s3rver)', async () => {
  const store = new S3ObjectStore(settings());
  await store.ensureReady();
  return { store, fetchableSigner: store, close: async () => store.close() };
});

uploadStagingContract('S3ObjectStore (s3rver)', async () => {
  const store = new S3ObjectStore(settings());
  await store.ensureReady();
  return { staging: store, store, close: async () => store.close() };
});

assembledAtTheProvider('S3ObjectStore (s3rver)', async () => {
  const relay = TcpProxy.forUrl(s3.endpoint);
  await relay.start();
  const store = new S3ObjectStore({ ...settings(), endpoint: relay.rewrite(s3.endpoint) });
  await store.ensureReady();
  const close = async () => {
    store.close();
    await relay.stop();
  };
  return { staging: store, store, relay, close };
});

describe('S3ObjectStore', () => {
  it('creates its bucket on the first write when it was not ready at start', async () => {
    const store = new S3ObjectStore(settings());
    await store.put('users/u/late.txt', Readable.from([Buffer.from('late')]), { contentType: 'text/plain' });
    await expect(store.head('users/u/late.txt')).resolves.toMatchObject({ size: 4 });
    store.close();
  });

  it('reports an unreachable endpoint as a StorageBackendError whose message holds no secret', async () => {
    const port = await freePort();
    const store = new S3ObjectStore({ ...settings(), endpoint: `http://127.0.0.1:${port}`, secretAccessKey: 'very-secret-key', maxAttempts: 1 });
    const error = await store.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageBackendError);
    expect((error as Error).message).not.toContain('very-secret-key');
    await expect(store.get('users/u/x.txt')).rejects.toBeInstanceOf(StorageBackendError);
    await expect(store.put('users/u/x.txt', Readable.from([Buffer.from('x')]), { contentType: 'text/plain' })).rejects.toBeInstanceOf(StorageBackendError);
    store.close();
  });

  it('reports a provider that accepts connections and never answers (blackholed) as a StorageBackendError, not a request held for ever (issue 13)', async () => {
    const ready = new S3ObjectStore(settings());
    await ready.ensureReady();
    const hole = new BlackholeProxy('127.0.0.1', Number(new URL(s3.endpoint).port));
    await hole.start();
    const store = new S3ObjectStore({ ...settings(), bucket: (ready as unknown as { bucket: string }).bucket ?? settings().bucket, endpoint: hole.rewrite(s3.endpoint).replace(/\/$/, ''), maxAttempts: 1, idleTimeoutMs: 500 });
    try {
      hole.blackhole();
      await expect(store.put('users/u/hung.txt', Readable.from([Buffer.from('x')]), { contentType: 'text/plain' })).rejects.toBeInstanceOf(StorageBackendError);
      await expect(store.get('users/u/hung.txt')).rejects.toBeInstanceOf(StorageBackendError);
    } finally {
      hole.heal();
      store.close();
      ready.close();
      await hole.stop();
    }
  });
});
