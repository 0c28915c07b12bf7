import { Readable } from 'node:stream';
import { InMemoryFileRepository } from '../../../src/adapters/in-memory/fakes/in-memory-file-repository';
import { InMemoryObjectStore } from '../../../src/adapters/in-memory/fakes/in-memory-object-store';
import { InProcessBackgroundTasks } from '../../../src/adapters/in-process/in-process-background-tasks';
import { ReplicateToBackup } from '../../../src/application/storage/backup-copies/replicate-to-backup';
import { RetryPendingBackups, type BackupCopier } from '../../../src/application/storage/backup-copies/retry-pending-backups';
import type { StoredFile } from '../../../src/domain/storage/stored-file';
import { aFile } from '../../support/file-builder';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function world() {
  const primary = new InMemoryObjectStore('local_disk');
  const backup = new InMemoryObjectStore('aws_s3');
  const files = new InMemoryFileRepository();
  const replicate = new ReplicateToBackup(primary, backup, files, new InProcessBackgroundTasks(silent), silent, { maxAttempts: 3, baseDelayMs: 0 }, async () => undefined);
  const stored = async (state: StoredFile['backup']['state'], attempts = 0) => {
    const file = aFile().build();
    file.backup = { state, provider: state === 'none' ? null : 'aws_s3', attempts, lastError: null };
    await files.insertWithinQuota(file, Number.MAX_SAFE_INTEGER, []);
    await primary.put(file.filePath, Readable.from([Buffer.from(`bytes of ${file.id}`)]), { contentType: file.mimeType });
    return file;
  };
  return { primary, backup, files, replicate, stored };
}

describe('RetryPendingBackups', () => {
  it('copies files left pending or failed with attempts left, and skips a file deleted meanwhile', async () => {
    const w = await world();
    const pending = await w.stored('pending', 1);
    const retryable = await w.stored('failed', 2);
    const exhausted = await w.stored('failed', 3);
    const deleted = await w.stored('pending');
    const found = w.files.backupsToRetry.bind(w.files);
    // Deleted for good between the query and its copy.
    w.files.backupsToRetry = async (...args) => {
      const due = await found(...args);
      await w.primary.delete(deleted.filePath);
      await w.files.remove(deleted.id);
      return due;
    };
    await expect(new RetryPendingBackups(w.files, w.replicate, silent).execute()).resolves.toEqual({ retried: 3 });
    expect(w.backup.keys().sort()).toEqual([pending.filePath, retryable.filePath].sort());
    expect((await w.files.findById(pending.id))?.backup).toMatchObject({ state: 'completed', attempts: 2 });
    expect((await w.files.findById(retryable.id))?.backup).toMatchObject({ state: 'completed', attempts: 3 });
    expect((await w.files.findById(exhausted.id))?.backup.state).toBe('failed');
    expect(await w.files.findById(deleted.id)).toBeNull();
  });

  it('runs at most `concurrency` copies at once and goes on after one throws', async () => {
    const w = await world();
    for (let i = 0; i < 7; i++) await w.stored('pending');
    let running = 0;
    let peak = 0;
    let calls = 0;
    const copier: BackupCopier = {
      enabled: true,
      maxAttempts: 3,
      run: async () => {
        calls++;
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        if (calls === 1) throw new Error('database down');
      },
    };
    await new RetryPendingBackups(w.files, copier, silent, { batchSize: 100, concurrency: 3 }).execute();
    expect(calls).toBe(7);
    expect(peak).toBe(3);
  });

  it('does nothing without a backup store', async () => {
    const w = await world();
    await w.stored('pending');
    const copier: BackupCopier = { enabled: false, maxAttempts: 3, run: async () => fail('no copy without a backup store') };
    await expect(new RetryPendingBackups(w.files, copier, silent).execute()).resolves.toEqual({ retried: 0 });
  });
});
