import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { AesGcmArchiveCipher } from '../../src/adapters/crypto/aes-gcm-archive-cipher';
import { FakeDatabaseDumper } from '../../src/adapters/in-memory/fakes/fake-database-dumper';
import { InMemoryBackups } from '../../src/adapters/in-memory/fakes/in-memory-backups';
import { InMemoryDatabaseRestorer } from '../../src/adapters/in-memory/fakes/in-memory-database-restorer';
import { InMemoryMigrationSource } from '../../src/adapters/in-memory/fakes/in-memory-migration-source';
import { InMemoryMigrationStore } from '../../src/adapters/in-memory/fakes/in-memory-migration-store';
import { InMemoryObjectStore } from '../../src/adapters/in-memory/fakes/in-memory-object-store';
import { InMemoryRestores } from '../../src/adapters/in-memory/fakes/in-memory-restores';
import { InMemorySchemaCatalog } from '../../src/adapters/in-memory/fakes/in-memory-schema-catalog';
import { InMemoryJobQueue } from '../../src/adapters/queue/in-memory-job-queue';
import { OpenBackupArchive } from '../../src/application/database/backups/open-backup-archive';
import { RunBackup } from '../../src/application/database/backups/run-backup';
import { StartBackup } from '../../src/application/database/backups/start-backup';
import { MaintenanceGate } from '../../src/application/database/restores/maintenance-gate';
import { RestoreInPlace } from '../../src/application/database/restores/restore-in-place';
import type { MigrationScript } from '../../src/domain/database/migration';
import { BackupInProgress } from '../../src/domain/database/backup-errors';
import { BackupSchemaNewer, RestoreNotConfirmed } from '../../src/domain/database/restore-errors';
import { FakeClock } from '../support/fake-clock';
import { RecordingLogger } from '../support/recording-logger';

const kept = { fileId: randomUUID(), key: 'u/kept', storageProvider: 'memory', sizeBytes: 1, sha256: 'a'.repeat(64) };
const script = (version: string): MigrationScript => ({ version, description: version, checksum: version, estimatedDurationMs: 1, sql: 'SELECT 1' });
const fakeArchive = (files: string[]) => Buffer.from(JSON.stringify({ tables: { files, notes: ['n'] } }));

/** A backup of [kept] taken by the fake dumper (migration 20240124_001), a live database with more in it. */
async function world(codeVersions = ['20240124_001', '20240127_001']) {
  const dumper = new FakeDatabaseDumper({ chunks: [fakeArchive([kept.fileId])], tables: 2, manifest: [kept] });
  const backups = new InMemoryBackups();
  const store = new InMemoryObjectStore();
  const cipher = new AesGcmArchiveCipher(randomBytes(32));
  const clock = new FakeClock();
  const logger = new RecordingLogger();
  const startBackup = new StartBackup(backups, dumper, new InMemoryJobQueue(0), cipher, store.provider, clock);
  const runBackup = new RunBackup(backups, dumper, store, cipher, clock, logger, { progressIntervalMs: 10, retentionDays: 7 });
  const backup = await startBackup.create({ label: null, includeFilesManifest: true, kind: 'manual' });
  await runBackup.execute(backup.id);
  backups.recordManifest(backup.id, dumper.recorded.get(backup.id) ?? []);
  await store.put(kept.key, Readable.from([Buffer.from('x')]), { contentType: 'text/plain' });
  const restorer = new InMemoryDatabaseRestorer();
  await restorer.createDatabase('live');
  await restorer.restoreInto('live', Readable.from([Buffer.from(JSON.stringify({ tables: { files: [kept.fileId, 'added later'], notes: [] } }))]));
  const restores = new InMemoryRestores();
  const gate = new MaintenanceGate(restores, logger, { cacheMs: 60_000, retryAfterSeconds: 5 });
  const invalidated: string[][] = [];
  const restoreInPlace = new RestoreInPlace(
    {
      openArchive: new OpenBackupArchive(backups, store, cipher),
      backups,
      restores,
      restorer,
      startBackup,
      runBackup,
      migrationSource: new InMemoryMigrationSource(codeVersions.map(script)),
      migrationStore: new InMemoryMigrationStore(),
      cache: { invalidate: async (tables) => void invalidated.push([...tables]) },
      schema: new InMemorySchemaCatalog(),
      retained: backups,
      files: store,
      gate,
      clock,
      logger,
    },
    { databaseName: 'live', progressIntervalMs: 10, lockTimeoutMs: 1_000 },
  );
  return { backupId: backup.id, backups, restores, restorer, dumper, gate, invalidated, restoreInPlace };
}

describe('RestoreInPlace', () => {
  it('takes the pre_restore backup, replaces the live rows, invalidates every table, reports, and closes the window', async () => {
    const w = await world();
    const { restore, done } = await w.restoreInPlace.execute({ backupId: w.backupId, confirm: w.backupId });
    await expect(w.gate.assertWritable()).rejects.toMatchObject({ code: 'MAINTENANCE' });
    await done;
    const finished = await w.restores.findById(restore.id);
    expect(finished).toMatchObject({
      status: 'completed',
      target: 'in_place',
      databaseName: 'live',
      progress: { phase: 'completed' },
      report: {
        row_counts: { files: 1, notes: 1 },
        files_in_manifest: 1,
        files_restored: 1,
        files_missing: 0,
        in_place: { row_counts_before: { files: 2, notes: 0 }, cache_invalidated: true, migrations: { code_latest: '20240127_001', pending: ['20240124_001', '20240127_001'] } },
      },
    });
    expect(await w.backups.findById(finished!.report!.in_place!.pre_restore_backup_id)).toMatchObject({ kind: 'pre_restore', status: 'completed' });
    expect(w.invalidated).toEqual([['files', 'notes']]);
    await expect(w.gate.assertWritable()).resolves.toBeUndefined();
  });

  it('refuses a wrong confirm and a newer schema before anything is recorded', async () => {
    const w = await world(['20240101_001']);
    await expect(w.restoreInPlace.execute({ backupId: w.backupId, confirm: undefined })).rejects.toBeInstanceOf(RestoreNotConfirmed);
    await expect(w.restoreInPlace.execute({ backupId: w.backupId, confirm: w.backupId })).rejects.toBeInstanceOf(BackupSchemaNewer);
    expect(await w.restores.activeInPlace()).toBeNull();
    expect((await w.backups.list(1, 10)).total).toBe(1);
  });

  it('restores nothing when the pre_restore backup fails, and says so', async () => {
    const w = await world();
    w.dumper.script.dieAfter = 0;
    const { restore, done } = await w.restoreInPlace.execute({ backupId: w.backupId, confirm: w.backupId });
    await done;
    expect(await w.restores.findById(restore.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/pre-restore backup .* failed/) });
    expect(await w.restorer.rowCounts('live')).toEqual({ files: 2, notes: 0 });
    await expect(w.gate.assertWritable()).resolves.toBeUndefined();
  });

  it('answers BACKUP_IN_PROGRESS when another backup runs, recording the restore as failed', async () => {
    const w = await world();
    await w.backups.create({ id: randomUUID(), label: null, kind: 'manual', includeFilesManifest: true, startedAt: new Date(), storage: { provider: 'memory', key: 'k' }, encrypted: true, progress: { phase: 'queued', tablesDone: 0, tablesTotal: 0, bytesWritten: 0 } });
    await expect(w.restoreInPlace.execute({ backupId: w.backupId, confirm: w.backupId })).rejects.toBeInstanceOf(BackupInProgress);
    expect(await w.restores.activeInPlace()).toBeNull();
    await expect(w.gate.assertWritable()).resolves.toBeUndefined();
  });
});
