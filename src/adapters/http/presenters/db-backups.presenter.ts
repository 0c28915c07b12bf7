import type { Backup } from '../../../domain/database/backup';

export function presentBackup(backup: Backup) {
  return {
    id: backup.id,
    label: backup.label,
    kind: backup.kind,
    status: backup.status,
    started_at: backup.startedAt.toISOString(),
    completed_at: backup.completedAt?.toISOString() ?? null,
    duration_ms: backup.completedAt ? backup.completedAt.getTime() - backup.startedAt.getTime() : null,
    size_bytes: backup.sizeBytes,
    sha256: backup.sha256,
    server_version: backup.serverVersion,
    migration_version: backup.migrationVersion,
    files_in_manifest: backup.filesInManifest,
    storage: { provider: backup.storage.provider, key: backup.storage.key },
    encrypted: backup.encrypted,
    expires_at: backup.expiresAt?.toISOString() ?? null,
    error: backup.error,
    progress: {
      phase: backup.progress.phase,
      tables_done: backup.progress.tablesDone,
      tables_total: backup.progress.tablesTotal,
      bytes_written: backup.progress.bytesWritten,
    },
  };
}
