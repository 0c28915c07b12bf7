import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import request from 'supertest';
import { LocalDiskObjectStore } from '../../src/adapters/object-store/local-disk-object-store';
import type { FileRepository } from '../../src/application/ports/file-repository.port';
import type { PeriodicTask } from '../../src/infrastructure/periodic-task';
import { TOKENS } from '../../src/infrastructure/tokens';
import { eventually } from '../support/eventually';
import { aFile } from '../support/file-builder';
import { buildTestApp } from '../support/test-app';
import { someText } from '../support/media-fixtures';
import { readAll, storageApp, upload } from '../support/storage-world';
import { aToken, bearer } from '../support/tokens';

let world: Awaited<ReturnType<typeof storageApp>>;
let backupRoot: string;
let backup: LocalDiskObjectStore;

beforeAll(async () => {
  backupRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-backup-'));
  backup = new LocalDiskObjectStore(backupRoot);
  await backup.ensureReady();
  world = await storageApp({}, undefined, { [TOKENS.BackupObjectStore]: backup });
});
afterAll(async () => {
  await world.cleanup();
  await fs.rm(backupRoot, { recursive: true, force: true });
});

describe('with a backup provider', () => {
  it('copies an upload to the backup, shows the backup state, and a permanent delete removes both copies', async () => {
    const token = await aToken();
    const content = someText(5_000);
    const res = await upload(world.app, token, content, { name: 'kept.txt', type: 'text/plain' });
    expect(res.status).toBe(201);
    const file = res.body.file;
    expect(file.backup.status).toBe('pending');
    const details = await eventually('the backup copy', async () => {
      const body = (await request(world.app).get(`/api/v1/storage/files/${file.id}`).set(bearer(token))).body;
      return body.file.backup.status === 'completed' ? body : undefined;
    });
    expect(details.file.backup).toMatchObject({ status: 'completed', provider: 'local_disk', error: null });
    expect(await readAll(await backup.get(file.file_path))).toEqual(content);

    const deleted = await request(world.app).delete(`/api/v1/storage/files/${file.id}?permanent=true`).set(bearer(token));
    expect(deleted.status).toBe(200);
    expect(await world.store.head(file.file_path)).toBeNull();
    expect(await backup.head(file.file_path)).toBeNull();
  });
});

describe('backup copies a stopped service left pending', () => {
  it('are copied when the service starts again; trashed files too, files deleted for good are not', async () => {
    const files = world.container.get<FileRepository>(TOKENS.FileRepository);
    const leftPending = async () => {
      const file = aFile().build();
      file.backup = { state: 'pending', provider: 'local_disk', attempts: 1, lastError: null };
      await world.store.put(file.filePath, Readable.from([Buffer.from(`bytes of ${file.id}`)]), { contentType: file.mimeType });
      await files.insertWithinQuota(file, Number.MAX_SAFE_INTEGER, []);
      return file;
    };
    const live = await leftPending();
    const trashed = await leftPending();
    await files.softDelete(trashed.id, new Date());
    const gone = await leftPending();
    await world.container.get<{ execute(file: unknown): Promise<void> }>(TOKENS.RemoveStoredFile).execute(gone);
    expect(await backup.head(live.filePath)).toBeNull();

    const restarted = await buildTestApp({ overrides: { [TOKENS.ObjectStore]: world.store, [TOKENS.BackupObjectStore]: backup } });
    try {
      for (const file of [live, trashed]) {
        await eventually(`the copy of ${file.id}`, async () => ((await files.findById(file.id))?.backup.state === 'completed' ? true : undefined));
        expect(await readAll(await backup.get(file.filePath))).toEqual(Buffer.from(`bytes of ${file.id}`));
        expect((await files.findById(file.id))?.backup).toEqual({ state: 'completed', provider: 'local_disk', attempts: 2, lastError: null });
      }
      expect(await backup.head(gone.filePath)).toBeNull();
      expect(await files.findById(gone.id)).toBeNull();
    } finally {
      await restarted.close();
    }
  });

  it('are retried only where a backup store is configured', async () => {
    expect(world.container.get<PeriodicTask | null>(TOKENS.BackupRetry)).not.toBeNull();
    const plain = await storageApp();
    try {
      expect(plain.container.get<PeriodicTask | null>(TOKENS.BackupRetry)).toBeNull();
    } finally {
      await plain.cleanup();
    }
  });
});
