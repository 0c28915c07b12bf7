import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { AesGcmArchiveCipher } from '../../src/adapters/crypto/aes-gcm-archive-cipher';
import { FakeDatabaseDumper, type FakeDumpScript } from '../../src/adapters/in-memory/fakes/fake-database-dumper';
import { InMemoryBackups } from '../../src/adapters/in-memory/fakes/in-memory-backups';
import { InMemoryObjectStore } from '../../src/adapters/in-memory/fakes/in-memory-object-store';
import { InMemoryJobQueue } from '../../src/adapters/queue/in-memory-job-queue';
import { ApplyBackupRetention } from '../../src/application/database/backups/apply-backup-retention';
import { BackupJob } from '../../src/application/database/backups/backup-job';
import { InMemoryAuditLog } from '../../src/adapters/in-memory/fakes/in-memory-audit-log';
import { OpenBackupArchive } from '../../src/application/database/backups/open-backup-archive';
import { ReleaseTombstones } from '../../src/application/database/backups/release-tombstones';
import { RunBackup } from '../../src/application/database/backups/run-backup';
import { StartBackup } from '../../src/application/database/backups/start-backup';
import { BackupCorrupt, BackupInProgress, BackupToolUnavailable } from '../../src/domain/database/backup-errors';
import { FakeClock } from '../support/fake-clock';
import { RecordingLogger } from '../support/recording-logger';

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

function world(script: Partial<FakeDumpScript> = {}) {
  const chunks = script.chunks ?? [Buffer.from('PGDMP'), ...Array.from({ length: 20 }, () => randomBytes(10_000))];
  const dumper = new FakeDatabaseDumper({ chunks, tables: 5, ...script });
  const backups = new InMemoryBackups();
  const store = new InMemoryObjectStore();
  const cipher = new AesGcmArchiveCipher(randomBytes(32));
  const clock = new FakeClock();
  const logger = new RecordingLogger();
  const queue = new InMemoryJobQueue(0);
  const start = new StartBackup(backups, dumper, queue, cipher, store.provider, clock);
  const run = new RunBackup(backups, dumper, store, cipher, clock, logger, { progressIntervalMs: 10, retentionDays: 7 });
  const release = new ReleaseTombstones(backups, store, null, logger);
  return { chunks, dumper, backups, store, cipher, clock, logger, queue, start, run, release, open: new OpenBackupArchive(backups, store, cipher) };
}

describe('backup use cases', () => {
  it('completes: sha256 and size of the archive, manifest kept, expiry from retention, object encrypted', async () => {
    const w = world({ manifest: [{ fileId: randomUUID(), key: 'u/f', storageProvider: 'memory', sizeBytes: 1, sha256: 'a'.repeat(64) }] });
    const backup = await w.start.create({ label: 'x', includeFilesManifest: true, kind: 'manual' });
    await w.run.execute(backup.id);
    const done = (await w.backups.findById(backup.id))!;
    const archive = Buffer.concat(w.chunks);
    expect(done).toMatchObject({ status: 'completed', sizeBytes: archive.length, sha256: createHash('sha256').update(archive).digest('hex'), filesInManifest: 1, migrationVersion: '20240124_001' });
    expect(done.progress).toEqual({ phase: 'completed', tablesDone: 5, tablesTotal: 5, bytesWritten: archive.length });
    expect(done.expiresAt!.getTime() - done.completedAt!.getTime()).toBe(7 * 86_400_000);
    expect(w.dumper.recorded.get(backup.id)).toHaveLength(1);
    expect((await readAll(await w.store.get(done.storage.key))).includes(Buffer.from('PGDMP'))).toBe(false);
    const { archive: stream } = await w.open.execute(backup.id);
    expect((await readAll(stream)).equals(archive)).toBe(true);
  });

  it('fails a dump that dies: no object, no manifest, and the slot is free again', async () => {
    const w = world({ dieAfter: 3 });
    const backup = await w.start.create({ label: null, includeFilesManifest: true, kind: 'manual' });
    await w.run.execute(backup.id);
    expect(await w.backups.findById(backup.id)).toMatchObject({ status: 'failed', error: 'pg_dump was killed by SIGKILL', sha256: null, progress: { phase: 'failed' } });
    expect(await w.store.head(backup.storage.key)).toBeNull();
    expect(w.dumper.recorded.size).toBe(0);
    await expect(w.start.create({ label: null, includeFilesManifest: true, kind: 'manual' })).resolves.toBeDefined();
  });

  it('refuses a second active backup and a missing tool', async () => {
    const w = world();
    await w.start.execute({ label: null, includeFilesManifest: true, kind: 'manual' });
    await expect(w.start.execute({ label: null, includeFilesManifest: true, kind: 'manual' })).rejects.toBeInstanceOf(BackupInProgress);
    const none = world({ toolsMissing: true });
    await expect(none.start.execute({ label: null, includeFilesManifest: true, kind: 'manual' })).rejects.toBeInstanceOf(BackupToolUnavailable);
  });

  it('fails a backup delivered again while marked running (its worker died)', async () => {
    const w = world();
    const backup = await w.start.create({ label: null, includeFilesManifest: true, kind: 'manual' });
    await w.backups.markRunning(backup.id, backup.progress);
    await w.run.execute(backup.id);
    expect(await w.backups.findById(backup.id)).toMatchObject({ status: 'failed', error: 'the worker running it stopped before it finished' });
  });

  it('cuts the download of a tampered archive with BackupCorrupt', async () => {
    const w = world();
    const backup = await w.start.create({ label: null, includeFilesManifest: false, kind: 'manual' });
    await w.run.execute(backup.id);
    const stored = await readAll(await w.store.get(backup.storage.key));
    stored[stored.length - 30]! ^= 0xff;
    await w.store.put(backup.storage.key, Readable.from([stored]), { contentType: 'application/octet-stream' });
    const { archive } = await w.open.execute(backup.id);
    await expect(readAll(archive)).rejects.toBeInstanceOf(BackupCorrupt);
  });

  it('a scheduled occurrence records its own backup, and is skipped while another runs', async () => {
    const w = world();
    const audit = new InMemoryAuditLog();
    const job = new BackupJob(w.start, w.run, w.logger, audit);
    await job.execute({ id: randomUUID(), payload: { scheduled: true }, attempt: 1, lastAttempt: true });
    const [scheduled] = (await w.backups.list(1, 10)).backups;
    expect(scheduled).toMatchObject({ kind: 'scheduled', status: 'completed' });
    // Audited as the system's (a manual backup is audited by its route).
    expect(audit.entries).toEqual([expect.objectContaining({ action: 'backup.start', targetId: scheduled!.id, outcome: 'success', details: { kind: 'scheduled' }, actor: expect.objectContaining({ sub: 'system' }) })]);
    await w.start.create({ label: null, includeFilesManifest: true, kind: 'manual' });
    await job.execute({ id: randomUUID(), payload: { scheduled: true }, attempt: 1, lastAttempt: true });
    expect((await w.backups.list(1, 10)).total).toBe(2);
  });

  it('retention fails stale backups and removes their partial object', async () => {
    const w = world();
    const backup = await w.start.create({ label: null, includeFilesManifest: true, kind: 'manual' });
    await w.backups.markRunning(backup.id, backup.progress);
    await w.store.put(backup.storage.key, Readable.from([Buffer.from('partial')]), { contentType: 'application/octet-stream' });
    const retention = new ApplyBackupRetention(w.backups, w.store, w.release, { now: () => new Date(Date.now() + 120_000) }, w.logger, { keepMin: 1, staleAfterMs: 60_000 });
    expect(await retention.execute()).toEqual({ failed: 1, removed: 0, released: 0 });
    expect(await w.backups.findById(backup.id)).toMatchObject({ status: 'failed' });
    expect(await w.store.head(backup.storage.key)).toBeNull();
  });
});
