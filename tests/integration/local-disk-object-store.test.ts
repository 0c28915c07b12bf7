import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { LocalDiskObjectStore } from '../../src/adapters/object-store/local-disk-object-store';
import { StorageBackendError } from '../../src/domain/storage/errors';
import { objectStoreContract } from '../contract/object-store.contract';
import { uploadStagingContract } from '../contract/upload-staging.contract';

async function tempRoot(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'vb-objects-'));
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

objectStoreContract('LocalDiskObjectStore', async () => {
  const root = await tempRoot();
  const store = new LocalDiskObjectStore(root);
  await store.ensureReady();
  return {
    store,
    close: async () => {
      // Failed puts leave no stray file behind.
      expect((await filesUnder(root)).filter((f) => f.includes('.partial') || f.startsWith('.uploads'))).toEqual([]);
      await fs.rm(root, { recursive: true, force: true });
    },
  };
});

uploadStagingContract('LocalDiskObjectStore', async () => {
  const root = await tempRoot();
  const store = new LocalDiskObjectStore(root);
  await store.ensureReady();
  return {
    staging: store,
    store,
    close: async () => {
      // Completed and aborted uploads leave no staged file behind.
      expect((await filesUnder(root)).filter((f) => f.includes('.partial') || f.startsWith('.uploads'))).toEqual([]);
      await fs.rm(root, { recursive: true, force: true });
    },
  };
});

describe('LocalDiskObjectStore', () => {
  it('keeps everything inside its root', async () => {
    const root = await tempRoot();
    const store = new LocalDiskObjectStore(path.join(root, 'objects'));
    await store.ensureReady();
    await expect(store.put('../escape.txt', Readable.from([Buffer.from('x')]), { contentType: 'text/plain' })).rejects.toThrow('Invalid object key');
    await expect(fs.access(path.join(root, 'escape.txt'))).rejects.toThrow();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('reports a root that cannot hold files as a backend error on put, and keeps nothing', async () => {
    const root = await tempRoot();
    await fs.writeFile(path.join(root, 'a-file'), 'x');
    const store = new LocalDiskObjectStore(path.join(root, 'a-file'));
    await expect(store.put('users/u/x.txt', Readable.from([Buffer.from('x')]), { contentType: 'text/plain' })).rejects.toBeInstanceOf(StorageBackendError);
    await fs.rm(root, { recursive: true, force: true });
  });

  it('reports a root it cannot write to as a backend error', async () => {
    const root = await tempRoot();
    const store = new LocalDiskObjectStore(path.join(root, 'not-created'));
    await expect(store.ping()).rejects.toBeInstanceOf(StorageBackendError);
    await fs.rm(root, { recursive: true, force: true });
  });
});
