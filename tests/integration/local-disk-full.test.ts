import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { LocalDiskObjectStore } from '../../src/adapters/object-store/local-disk-object-store';
import { InsufficientStorage } from '../../src/domain/storage/errors';
import { mountSmallTmpfs, type SmallTmpfs } from '../support/small-tmpfs';

/*
 * The local disk store on a disk that really fills up (a 2 MiB tmpfs): a full disk is the 507
 * INSUFFICIENT_STORAGE of 002 (not a 503, not a 500), and nothing of the write stays behind.
 */
const MB = 1024 * 1024;
let disk: SmallTmpfs | undefined;
let skipped: string | undefined;

beforeAll(async () => {
  const mounted = await mountSmallTmpfs(2 * MB);
  if ('skipped' in mounted) {
    skipped = mounted.skipped;
    console.warn(`local-disk-full: skipped: ${skipped}`);
  } else disk = mounted;
});
afterAll(() => disk?.unmount());

const files = async (dir: string): Promise<string[]> => (await fs.readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));

it('answers a put that does not fit with InsufficientStorage and leaves no .partial file', async () => {
  if (!disk) return;
  const store = new LocalDiskObjectStore(disk.dir);
  await store.ensureReady();
  await expect(store.put('user/a/big.bin', Readable.from([Buffer.alloc(3 * MB, 1)]))).rejects.toBeInstanceOf(InsufficientStorage);
  expect(await files(disk.dir)).toEqual([]);
  // The space is back: a put that fits succeeds.
  await expect(store.put('user/a/small.bin', Readable.from([Buffer.alloc(MB / 2, 2)]))).resolves.toEqual({ size: MB / 2 });
});

it('answers a staged write that does not fit with InsufficientStorage', async () => {
  if (!disk) return;
  const store = new LocalDiskObjectStore(disk.dir);
  const { uploadId } = await store.begin('user/a/staged.bin');
  await expect(store.write('user/a/staged.bin', uploadId, 0, Readable.from([Buffer.alloc(3 * MB, 3)]))).rejects.toBeInstanceOf(InsufficientStorage);
  await store.abort('user/a/staged.bin', uploadId);
});
