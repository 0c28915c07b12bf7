import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { InMemoryBackups } from '../../../src/adapters/in-memory/fakes/in-memory-backups';
import { InMemoryFileRepository } from '../../../src/adapters/in-memory/fakes/in-memory-file-repository';
import { InMemoryObjectStore } from '../../../src/adapters/in-memory/fakes/in-memory-object-store';
import { ReleaseTombstones } from '../../../src/application/database/backups/release-tombstones';
import { RemoveStoredFile } from '../../../src/application/storage/files/remove-stored-file';
import { aNewBackup } from '../../contract/backup-repository.contract';
import { aFile } from '../../support/file-builder';
import { RecordingLogger } from '../../support/recording-logger';

describe('RemoveStoredFile with database backups', () => {
  async function world() {
    const files = new InMemoryFileRepository();
    const store = new InMemoryObjectStore();
    const copies = new InMemoryObjectStore('backup');
    const backups = new InMemoryBackups();
    const remove = new RemoveStoredFile(files, store, copies, new RecordingLogger(), backups);
    const release = new ReleaseTombstones(backups, store, copies, new RecordingLogger());
    const file = aFile().build();
    await files.insertWithinQuota(file, Number.MAX_SAFE_INTEGER, []);
    for (const s of [store, copies]) await s.put(file.filePath, Readable.from([Buffer.from('bytes')]), { contentType: 'text/plain' });
    return { files, store, copies, backups, remove, release, file };
  }

  async function keptBackupListing(backups: InMemoryBackups, key: string): Promise<string> {
    const b = aNewBackup();
    await backups.create(b);
    await backups.markRunning(b.id, b.progress);
    await backups.complete(b.id, { completedAt: new Date(), sizeBytes: 1, sha256: 'x', serverVersion: '15', migrationVersion: null, filesInManifest: 1, expiresAt: null }, b.progress);
    backups.recordManifest(b.id, [{ fileId: randomUUID(), key, storageProvider: 'memory', sizeBytes: 5, sha256: 'a'.repeat(64) }]);
    return b.id;
  }

  it('deletes the objects at once when no backup lists them', async () => {
    const w = await world();
    await w.remove.execute(w.file);
    expect(await w.files.findById(w.file.id)).toBeNull();
    expect(await w.store.head(w.file.filePath)).toBeNull();
    expect(await w.copies.head(w.file.filePath)).toBeNull();
  });

  it('removes the row but keeps the objects a kept backup lists, until that backup goes', async () => {
    const w = await world();
    const backupId = await keptBackupListing(w.backups, w.file.filePath);
    await w.remove.execute(w.file);
    expect(await w.files.findById(w.file.id)).toBeNull();
    expect(await w.store.head(w.file.filePath)).not.toBeNull();
    expect(await w.release.execute()).toBe(0);
    await w.backups.remove(backupId);
    expect(await w.release.execute()).toBe(1);
    expect(await w.store.head(w.file.filePath)).toBeNull();
    expect(await w.copies.head(w.file.filePath)).toBeNull();
  });

  it('keeps every object deleted while a backup is running (its manifest is not committed yet)', async () => {
    const w = await world();
    const running = aNewBackup();
    await w.backups.create(running);
    await w.remove.execute(w.file);
    expect(await w.store.head(w.file.filePath)).not.toBeNull();
  });
});
