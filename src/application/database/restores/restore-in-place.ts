import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { compareVersions } from '../../../domain/database/migration';
import type { InPlaceReport, MigrationCheck, Restore, RestoreProgress, RestoreReport } from '../../../domain/database/restore';
import { BackupSchemaNewer, RestoreInProgress, RestoreNotConfirmed } from '../../../domain/database/restore-errors';
import type { BackupRepository } from '../../ports/backup-repository.port';
import type { CacheInvalidator } from '../../ports/cache-invalidator.port';
import type { Clock } from '../../ports/clock.port';
import type { DatabaseRestorer } from '../../ports/database-restorer.port';
import type { Logger } from '../../ports/logger.port';
import type { MigrationSource } from '../../ports/migration-source.port';
import type { MigrationStore } from '../../ports/migration-store.port';
import type { ObjectStore } from '../../ports/object-store.port';
import type { RestoreRepository } from '../../ports/restore-repository.port';
import type { RetainedObjects } from '../../ports/retained-objects.port';
import type { SchemaCatalog } from '../../ports/schema-catalog.port';
import type { OpenBackupArchive } from '../backups/open-backup-archive';
import type { RunBackup } from '../backups/run-backup';
import type { StartBackup } from '../backups/start-backup';
import { compareManifest } from './compare-manifest';
import { holdBackLastChunk } from './hold-back-last-chunk';
import type { MaintenanceGate } from './maintenance-gate';
import { drain } from './start-restore';

export interface RestoreInPlaceInput {
  backupId: string;
  /** Must repeat backupId. */
  confirm: string | undefined;
}

export interface RestoreInPlaceDeps {
  openArchive: OpenBackupArchive;
  backups: BackupRepository;
  restores: RestoreRepository;
  restorer: DatabaseRestorer;
  startBackup: StartBackup;
  runBackup: RunBackup;
  migrationSource: MigrationSource;
  /** The live database's schema_migrations. */
  migrationStore: MigrationStore;
  cache: CacheInvalidator;
  schema: SchemaCatalog;
  retained: RetainedObjects;
  /** Where the manifest's file objects live (the primary store). */
  files: ObjectStore;
  gate: MaintenanceGate;
  clock: Clock;
  logger: Logger;
}

export interface RestoreInPlaceSettings {
  /** The live database (the service's own). */
  databaseName: string;
  /** How often progress (the heartbeat that keeps the maintenance window open) is saved. */
  progressIntervalMs: number;
  /** How long pg_restore waits for each lock before the restore fails (rolled back). */
  lockTimeoutMs: number;
}

/**
 * Restores a backup over the live database. In the request: `confirm` must repeat the backup id,
 * the backup's schema must not be newer than the code, and the archive is read through once (422 if
 * tampered), all before anything is touched. Then the restore is recorded (from that moment every
 * instance refuses writes: see MaintenanceGate), a pre_restore backup is taken in-process (so what
 * the restore replaces can be restored in turn), and pg_restore replaces the contents in one
 * transaction. After it: the migrations are compared, every cached read is made unreachable, the
 * tombstones of files that came back are dropped, and the report counts rows and checks the manifest.
 */
export class RestoreInPlace {
  constructor(
    private readonly deps: RestoreInPlaceDeps,
    private readonly settings: RestoreInPlaceSettings,
  ) {}

  async execute(input: RestoreInPlaceInput): Promise<{ restore: Restore; done: Promise<void> }> {
    const { deps } = this;
    if (input.confirm !== input.backupId) throw new RestoreNotConfirmed(input.backupId);
    const recorded = await deps.backups.findById(input.backupId);
    const codeLatest = await this.codeLatest();
    if (recorded?.migrationVersion && (codeLatest === null || compareVersions(recorded.migrationVersion, codeLatest) > 0)) {
      throw new BackupSchemaNewer(recorded.id, recorded.migrationVersion, codeLatest);
    }
    // BackupNotFound / BackupInProgress, then BackupCorrupt once read through: before anything is recorded.
    const { backup, archive } = await deps.openArchive.execute(input.backupId);
    await drain(archive);

    const id = randomUUID();
    const created = await deps.restores.create({
      id,
      backupId: backup.id,
      target: 'in_place',
      databaseName: this.settings.databaseName,
      startedAt: deps.clock.now(),
      progress: { phase: 'queued', bytes_read: 0 },
    });
    if (!created.created) throw new RestoreInProgress(created.activeId ? { restore_id: created.activeId } : {});
    deps.gate.forget();
    let preRestoreId: string;
    try {
      // 409 BACKUP_IN_PROGRESS or 503 BACKUP_TOOL_UNAVAILABLE answer the request itself.
      preRestoreId = (await deps.startBackup.create({ label: `before restore ${id}`, includeFilesManifest: true, kind: 'pre_restore' })).id;
    } catch (error) {
      await deps.restores.fail(id, `the pre-restore backup could not start: ${messageOf(error)}`, { phase: 'failed', bytes_read: 0 }, deps.clock.now());
      deps.gate.forget();
      throw error;
    }
    const restore = await deps.restores.findById(id);
    if (!restore) throw new Error(`restore ${id} vanished after it was recorded`);
    const done = this.run(restore, preRestoreId).catch((error: unknown) => deps.logger.error({ err: error, restore_id: id }, 'in-place database restore failed'));
    return { restore, done };
  }

  private async run(restore: Restore, preRestoreId: string): Promise<void> {
    const { deps } = this;
    const progress: RestoreProgress = { phase: 'pre_restore_backup', bytes_read: 0 };
    const save = () => deps.restores.saveProgress(restore.id, progress);
    const heartbeat = setInterval(() => {
      save().catch((error: unknown) => deps.logger.warn({ err: { message: messageOf(error) }, restore_id: restore.id }, 'restore progress not saved'));
    }, this.settings.progressIntervalMs);
    heartbeat.unref();
    try {
      await deps.restores.saveProgress(restore.id, progress, 'running');
      await deps.runBackup.execute(preRestoreId);
      const pre = await deps.backups.findById(preRestoreId);
      if (pre?.status !== 'completed') throw new Error(`the pre-restore backup ${preRestoreId} failed: ${pre?.error ?? 'no record of it'}; nothing was restored`);

      progress.phase = 'restoring';
      await save();
      const db = this.settings.databaseName;
      const before = await deps.restorer.rowCounts(db);
      const { archive } = await deps.openArchive.execute(restore.backupId);
      // Counted as pg_restore takes it (a 'data' listener would start the flow before it is piped).
      const fed = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          progress.bytes_read += chunk.length;
          done(null, chunk);
        },
      });
      const flowing = pipeline(archive, holdBackLastChunk(), fed);
      // The restorer sees the flow's failure (a corrupt archive) as its input failing, and stops.
      flowing.catch((error: unknown) => fed.destroy(error as Error));
      await deps.restorer.restoreOver(db, fed, this.settings.lockTimeoutMs);

      progress.phase = 'verifying';
      await save();
      const report = await this.verify(restore, preRestoreId, before);
      progress.phase = 'completed';
      await deps.restores.complete(restore.id, report, progress, deps.clock.now());
      deps.logger.info({ restore_id: restore.id, backup_id: restore.backupId, pre_restore_backup_id: preRestoreId }, 'in-place database restore completed');
    } catch (error) {
      progress.phase = 'failed';
      await deps.restores.fail(restore.id, messageOf(error), progress, deps.clock.now());
      throw error;
    } finally {
      clearInterval(heartbeat);
      deps.gate.forget();
    }
  }

  private async verify(restore: Restore, preRestoreId: string, before: Record<string, number>): Promise<RestoreReport> {
    const { deps } = this;
    const db = this.settings.databaseName;
    const after = await deps.restorer.rowCounts(db);
    const tables = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    let cacheInvalidated = true;
    try {
      await deps.cache.invalidate(tables);
    } catch (error) {
      cacheInvalidated = false;
      deps.logger.warn({ err: { message: messageOf(error) }, restore_id: restore.id }, 'read cache not invalidated after the restore; cached reads may be stale until they expire');
    }
    await deps.schema.refresh().catch((error: unknown) => deps.logger.warn({ err: { message: messageOf(error) } }, 'schema not introspected again after the restore'));
    const inPlace: InPlaceReport = {
      pre_restore_backup_id: preRestoreId,
      row_counts_before: before,
      migrations: await this.checkMigrations(),
      cache_invalidated: cacheInvalidated,
      tombstones_revived: await deps.retained.forgetRevived(),
    };
    const manifest = await compareManifest(deps.backups, deps.restorer, deps.files, restore.backupId, db);
    return { row_counts: after, ...manifest, in_place: inPlace };
  }

  private async checkMigrations(): Promise<MigrationCheck> {
    const known = (await this.deps.migrationSource.list()).map((m) => m.version);
    const applied = new Set((await this.deps.migrationStore.applied()).map((m) => m.version));
    const databaseLatest = [...applied].sort(compareVersions).at(-1) ?? null;
    return { code_latest: known.at(-1) ?? null, database_latest: databaseLatest, pending: known.filter((version) => !applied.has(version)) };
  }

  private async codeLatest(): Promise<string | null> {
    return (await this.deps.migrationSource.list()).map((m) => m.version).sort(compareVersions).at(-1) ?? null;
  }
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 500);
}
