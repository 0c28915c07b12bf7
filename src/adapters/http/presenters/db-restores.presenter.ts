import type { Restore } from '../../../domain/database/restore';

export function presentRestore(restore: Restore) {
  return {
    id: restore.id,
    backup_id: restore.backupId,
    target: restore.target,
    database_name: restore.databaseName,
    status: restore.status,
    progress: { phase: restore.progress.phase ?? 'queued', bytes_read: restore.progress.bytes_read ?? 0 },
    report: restore.report,
    error: restore.error,
    started_at: restore.startedAt.toISOString(),
    completed_at: restore.completedAt?.toISOString() ?? null,
  };
}
