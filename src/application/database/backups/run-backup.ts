import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BackupProgress } from '../../../domain/database/backup';
import type { ArchiveCipher } from '../../ports/archive-cipher.port';
import type { BackupRepository } from '../../ports/backup-repository.port';
import type { Clock } from '../../ports/clock.port';
import type { DatabaseDumper, DatabaseSnapshot, RunningDump } from '../../ports/database-dumper.port';
import type { Logger } from '../../ports/logger.port';
import type { ObjectStore } from '../../ports/object-store.port';

export interface RunBackupSettings {
  /** How often progress (and the heartbeat) is written to the row: never per chunk. */
  progressIntervalMs: number;
  /** null: backups never expire. */
  retentionDays: number | null;
}

const DAY_MS = 86_400_000;

/**
 * Takes one queued backup: snapshot, manifest, then pg_dump's output hashed, counted, encrypted and
 * streamed into the object store, all in one flow (nothing whole in memory or on disk). It ends
 * `completed` only when the dump exited cleanly and the object was fully written; any failure marks
 * it `failed`, removes the partial object and rolls the manifest back. Failures are recorded, not
 * thrown: the queue must not retry a backup whose failure is already on its row.
 */
export class RunBackup {
  constructor(
    private readonly backups: BackupRepository,
    private readonly dumper: DatabaseDumper,
    private readonly store: ObjectStore,
    private readonly cipher: ArchiveCipher,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly settings: RunBackupSettings,
  ) {}

  async execute(id: string): Promise<void> {
    const backup = await this.backups.findById(id);
    if (!backup) return;
    if (backup.status === 'running') {
      // Delivered again: the worker that had it died (the queue expired its job).
      await this.store.delete(backup.storage.key).catch(() => undefined);
      await this.backups.fail(id, 'the worker running it stopped before it finished', { ...backup.progress, phase: 'failed' });
      return;
    }
    if (backup.status !== 'queued') return;
    const progress: BackupProgress = { phase: 'snapshot', tablesDone: 0, tablesTotal: 0, bytesWritten: 0 };
    if (!(await this.backups.markRunning(id, progress))) return;
    const started = Date.now();
    const heartbeat = setInterval(() => {
      this.backups.saveProgress(id, { ...progress }).catch((error: unknown) => this.logger.warn({ backupId: id, err: messageOf(error) }, 'could not save backup progress'));
    }, this.settings.progressIntervalMs);
    heartbeat.unref();

    let snapshot: DatabaseSnapshot | null = null;
    let dump: RunningDump | null = null;
    try {
      snapshot = await this.dumper.openSnapshot();
      progress.tablesTotal = snapshot.tablesTotal;
      const { serverVersion, migrationVersion } = snapshot;
      progress.phase = 'manifest';
      const filesInManifest = backup.includeFilesManifest ? await snapshot.recordManifest(id) : null;
      progress.phase = 'dumping';
      const running = snapshot.dump(() => {
        progress.tablesDone = Math.min(progress.tablesDone + 1, progress.tablesTotal);
      });
      dump = running;
      const hash = createHash('sha256');
      const meter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          progress.bytesWritten += chunk.length;
          done(null, chunk);
        },
      });
      const encrypted = this.cipher.encrypt();
      const flowing = pipeline(running.archive, meter, encrypted);
      const stored = this.store.put(backup.storage.key, encrypted, { contentType: 'application/octet-stream' });
      await settleAll([flowing, stored, running.finished], () => {
        running.abort();
        encrypted.destroy();
      });

      progress.phase = 'finishing';
      await snapshot.close({ keep: true });
      snapshot = null;
      const completedAt = this.clock.now();
      const retention = this.settings.retentionDays;
      progress.phase = 'completed';
      progress.tablesDone = progress.tablesTotal;
      const completed = await this.backups.complete(
        id,
        {
          completedAt,
          sizeBytes: progress.bytesWritten,
          sha256: hash.digest('hex'),
          serverVersion,
          migrationVersion,
          filesInManifest,
          expiresAt: retention === null ? null : new Date(completedAt.getTime() + retention * DAY_MS),
        },
        progress,
      );
      if (!completed) throw new Error('the backup was failed by another instance (no heartbeat) while it ran');
      this.logger.info({ backupId: id, sizeBytes: progress.bytesWritten, durationMs: Date.now() - started }, 'database backup completed');
    } catch (error) {
      dump?.abort();
      await snapshot?.close({ keep: false }).catch(() => undefined);
      await this.store.delete(backup.storage.key).catch((e: unknown) => this.logger.warn({ backupId: id, err: messageOf(e) }, 'could not remove a failed backup object'));
      const reason = messageOf(error);
      await this.backups.fail(id, reason, { ...progress, phase: 'failed' });
      this.logger.error({ backupId: id, err: reason }, 'database backup failed');
    } finally {
      clearInterval(heartbeat);
    }
  }
}

/**
 * Waits for every part of the flow; the first failure calls `stop` (so the others end too) and is
 * what the whole rejects with, once nothing is still running.
 */
async function settleAll(parts: Array<Promise<unknown>>, stop: () => void): Promise<void> {
  let first: unknown = null;
  await Promise.all(
    parts.map((part) =>
      part.catch((error: unknown) => {
        if (first === null) {
          first = error ?? new Error('failed');
          stop();
        }
      }),
    ),
  );
  if (first !== null) throw first;
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 500);
}
