import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { AesGcmArchiveCipher } from '../../src/adapters/crypto/aes-gcm-archive-cipher';
import { FakeDatabaseDumper } from '../../src/adapters/in-memory/fakes/fake-database-dumper';
import { InMemoryBackups } from '../../src/adapters/in-memory/fakes/in-memory-backups';
import { InMemoryDatabaseRestorer } from '../../src/adapters/in-memory/fakes/in-memory-database-restorer';
import { InMemoryObjectStore } from '../../src/adapters/in-memory/fakes/in-memory-object-store';
import { InMemoryRestores } from '../../src/adapters/in-memory/fakes/in-memory-restores';
import { InMemoryJobQueue } from '../../src/adapters/queue/in-memory-job-queue';
import { OpenBackupArchive } from '../../src/application/database/backups/open-backup-archive';
import { RunBackup } from '../../src/application/database/backups/run-backup';
import { StartBackup } from '../../src/application/database/backups/start-backup';
import { StartRestore } from '../../src/application/database/restores/start-restore';
import { BackupCorrupt } from '../../src/domain/database/backup-errors';
import { RestoreInProgress, RestoreTargetExists } from '../../src/domain/database/restore-errors';
import { FakeClock } from '../support/fake-clock';
import { RecordingLogger } from '../support/recording-logger';

const kept = { fileId: randomUUID(), key: 'u/kept', storageProvider: 'memory', sizeBytes: 1, sha256: 'a'.repeat(64) };
const gone = { fileId: randomUUID(), key: 'u/gone', storageProvider: 'memory', sizeBytes: 1, sha256: 'b'.repeat(64) };

async function world(archive: Buffer) {
  const dumper = new FakeDatabaseDumper({ chunks: [archive], tables: 2, manifest: [kept, gone] });
  const backups = new InMemoryBackups();
  const store = new InMemoryObjectStore();
  const cipher = new AesGcmArchiveCipher(randomBytes(32));
  const clock = new FakeClock();
  const logger = new RecordingLogger();
  const start = new StartBackup(backups, dumper, new InMemoryJobQueue(0), cipher, store.provider, clock);
  const backup = await start.create({ label: null, includeFilesManifest: true, kind: 'manual' });
  await new RunBackup(backups, dumper, store, cipher, clock, logger, { progressIntervalMs: 10, retentionDays: 7 }).execute(backup.id);
  // The fake dumper keeps the manifest it "copied" apart; the repository is where a restore reads it.
  backups.recordManifest(backup.id, dumper.recorded.get(backup.id) ?? []);
  await store.put(kept.key, Readable.from([Buffer.from('x')]), { contentType: 'text/plain' });
  const restores = new InMemoryRestores();
  const restorer = new InMemoryDatabaseRestorer();
  const restore = new StartRestore(new OpenBackupArchive(backups, store, cipher), backups, restores, restorer, store, clock, logger, 10);
  return { backupId: backup.id, backups, store, restores, restorer, restore };
}

const fakeArchive = (files: string[]) => Buffer.from(JSON.stringify({ tables: { files, notes: ['n'] } }));

describe('StartRestore (new_database)', () => {
  it('restores, then reports row counts and the manifest against rows and objects', async () => {
    const w = await world(fakeArchive([kept.fileId]));
    const { restore, done } = await w.restore.execute({ backupId: w.backupId, target: 'new_database', databaseName: 'copy' });
    expect(restore.status).toBe('queued');
    await done;
    expect(await w.restores.findById(restore.id)).toMatchObject({
      status: 'completed',
      error: null,
      progress: { phase: 'completed' },
      report: { row_counts: { files: 1, notes: 1 }, files_in_manifest: 2, files_restored: 1, files_missing: 1 },
    });
  });

  it('records a failed pg_restore with its reason, and lets the next restore start', async () => {
    const w = await world(Buffer.from('not an archive'));
    const { restore, done } = await w.restore.execute({ backupId: w.backupId, target: 'new_database', databaseName: 'copy' });
    await done;
    expect(await w.restores.findById(restore.id)).toMatchObject({ status: 'failed', report: null, progress: { phase: 'failed' }, error: expect.stringMatching(/pg_restore/) });
    await expect(w.restore.execute({ backupId: w.backupId, target: 'new_database', databaseName: 'copy' })).rejects.toBeInstanceOf(RestoreTargetExists);
    await (await w.restore.execute({ backupId: w.backupId, target: 'new_database', databaseName: 'copy2' })).done;
  });

  it('refuses a second restore while one runs', async () => {
    const w = await world(fakeArchive([]));
    const first = await w.restore.execute({ backupId: w.backupId, target: 'new_database', databaseName: 'a' });
    await expect(w.restore.execute({ backupId: w.backupId, target: 'new_database', databaseName: 'b' })).rejects.toBeInstanceOf(RestoreInProgress);
    await first.done;
    expect(await w.restorer.databaseExists('b')).toBe(false);
  });

  it('refuses a tampered archive before anything is recorded or created', async () => {
    const w = await world(fakeArchive([kept.fileId]));
    const backup = (await w.backups.findById(w.backupId))!;
    const parts: Buffer[] = [];
    for await (const part of await w.store.get(backup.storage.key)) parts.push(part as Buffer);
    const stored = Buffer.concat(parts);
    stored[stored.length - 20]! ^= 1;
    await w.store.put(backup.storage.key, Readable.from([stored]), { contentType: 'application/octet-stream' });
    await expect(w.restore.execute({ backupId: w.backupId, target: 'new_database', databaseName: 'copy' })).rejects.toBeInstanceOf(BackupCorrupt);
    expect(await w.restorer.databaseExists('copy')).toBe(false);
    expect(await w.restores.create({ id: randomUUID(), backupId: w.backupId, target: 'new_database', databaseName: 'x', startedAt: new Date(), progress: { phase: 'queued', bytes_read: 0 } })).toEqual({ created: true });
  });
});
