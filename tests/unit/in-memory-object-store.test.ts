import { Readable } from 'node:stream';
import { InMemoryObjectStore } from '../../src/adapters/in-memory/fakes/in-memory-object-store';
import { StorageBackendError } from '../../src/domain/storage/errors';
import { objectStoreContract } from '../contract/object-store.contract';
import { uploadStagingContract } from '../contract/upload-staging.contract';

objectStoreContract('InMemoryObjectStore', async () => {
  const store = new InMemoryObjectStore();
  return { store, signer: store, close: async () => undefined };
});

uploadStagingContract('InMemoryObjectStore', async () => {
  const store = new InMemoryObjectStore();
  return { staging: store, store, close: async () => undefined };
});

describe('InMemoryObjectStore', () => {
  it('fails like an unreachable provider while unavailable', async () => {
    const store = new InMemoryObjectStore('aws_s3');
    store.setAvailable(false);
    await expect(store.put('users/u/x.txt', Readable.from([Buffer.from('x')]), { contentType: 'text/plain' })).rejects.toBeInstanceOf(StorageBackendError);
    await expect(store.ping()).rejects.toBeInstanceOf(StorageBackendError);
    store.setAvailable(true);
    await expect(store.ping()).resolves.toBeUndefined();
  });
});
