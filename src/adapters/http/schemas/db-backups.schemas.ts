import { z } from '../openapi/zod';

const DateTime = z.string().openapi({ format: 'date-time' });

export const StartBackupBodySchema = z
  .object({
    label: z.string().trim().min(1).max(200).optional().openapi({ description: 'A name for people reading the list', example: 'before the 2.4 release' }),
    include_files_manifest: z.boolean().default(true).openapi({ description: 'Record every file row (id, key, size, sha256) of the same snapshot' }),
  })
  .strict()
  .openapi('StartBackupRequest');

export const BackupParamsSchema = z.object({
  id: z.string().min(1).max(64).openapi({ example: '3f0e6f4c-8a43-4a54-a7a1-1d2d1e0c9b7e' }),
});

export const ListBackupsQuerySchema = z
  .object({
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

const Progress = z
  .object({
    phase: z.enum(['queued', 'snapshot', 'manifest', 'dumping', 'finishing', 'completed', 'failed']),
    tables_done: z.number().int(),
    tables_total: z.number().int(),
    bytes_written: z.number().int().openapi({ description: 'Archive bytes (before encryption) sent to the object store so far' }),
  })
  .openapi('BackupProgress');

export const BackupSchema = z
  .object({
    id: z.string(),
    label: z.string().nullable(),
    kind: z.enum(['manual', 'scheduled', 'pre_restore']),
    status: z.enum(['queued', 'running', 'completed', 'failed']),
    started_at: DateTime,
    completed_at: DateTime.nullable(),
    duration_ms: z.number().int().nullable(),
    size_bytes: z.number().int().nullable().openapi({ description: 'Size of the pg_dump archive (what a download yields)' }),
    sha256: z.string().nullable().openapi({ description: 'sha256 of the pg_dump archive (what a download yields), hex' }),
    server_version: z.string().nullable(),
    migration_version: z.string().nullable(),
    files_in_manifest: z.number().int().nullable().openapi({ description: 'null when the backup was taken without a manifest' }),
    storage: z.object({ provider: z.string(), key: z.string() }),
    encrypted: z.boolean(),
    expires_at: DateTime.nullable(),
    error: z.string().nullable(),
    progress: Progress,
  })
  .openapi('DatabaseBackup');

export const BackupListSchema = z
  .object({
    backups: z.array(BackupSchema),
    pagination: z.object({ page: z.number().int(), limit: z.number().int(), total: z.number().int(), pages: z.number().int() }),
    policy: z
      .object({
        schedule: z.string().nullable().openapi({ description: 'BACKUP_SCHEDULE: cron (five fields, UTC) of scheduled backups; null when none', example: '0 3 * * *' }),
        retention_days: z.number().int().openapi({ description: 'BACKUP_RETENTION_DAYS: a completed backup expires this many days after it completed; 0: never' }),
        keep_min: z.number().int().openapi({ description: 'BACKUP_KEEP_MIN: the newest completed backups always kept, expired or not' }),
        max_age_hours: z.number().int().openapi({ description: "BACKUP_MAX_AGE_HOURS: with a schedule, /health's backups check fails when the last completed backup is older" }),
      })
      .openapi('BackupPolicy', { description: 'How backups are scheduled and kept (this instance\'s configuration)' }),
  })
  .openapi('DatabaseBackupList');

export const BackupArchiveSchema = z.string().openapi({ format: 'binary', description: 'The pg_dump custom-format archive, decrypted' });
