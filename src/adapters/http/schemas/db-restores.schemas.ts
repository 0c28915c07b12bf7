import { z } from '../openapi/zod';

const DateTime = z.string().openapi({ format: 'date-time' });

const NewDatabaseBody = z
  .object({
    target: z.literal('new_database').openapi({ description: 'new_database: a fresh database on the same server, for inspection; the live one is untouched' }),
    database_name: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case identifier: a-z, 0-9 and _, not starting with a digit, at most 63 characters')
      .openapi({ description: 'The database to create; it must not exist', example: 'restored_20240301' }),
  })
  .strict();

const InPlaceBody = z
  .object({
    target: z.literal('in_place').openapi({ description: 'in_place: replaces the live database (pre_restore backup first; writes answer 503 MAINTENANCE meanwhile)' }),
    // Optional here so a missing one answers RESTORE_NOT_CONFIRMED rather than a generic validation error.
    confirm: z.string().max(64).optional().openapi({ description: "The backup's id again: the confirmation that the live database is to be replaced", example: '3f0e2a43-…' }),
  })
  .strict();

export const StartRestoreBodySchema = z.discriminatedUnion('target', [NewDatabaseBody, InPlaceBody]).openapi('StartRestoreRequest');

export const RestoreParamsSchema = z.object({
  id: z.string().min(1).max(64).openapi({ example: '9b1c2f3e-2a43-4a54-a7a1-1d2d1e0c9b7e' }),
});

const Progress = z
  .object({
    phase: z
      .enum(['queued', 'creating_database', 'pre_restore_backup', 'restoring', 'reporting', 'verifying', 'completed', 'failed'])
      .openapi({ description: 'new_database: creating_database → restoring → reporting; in_place: pre_restore_backup → restoring → verifying' }),
    bytes_read: z.number().int().openapi({ description: 'Archive bytes (decrypted) fed to pg_restore so far' }),
  })
  .openapi('RestoreProgress');

const Report = z
  .object({
    row_counts: z.record(z.string(), z.number().int()).openapi({ description: 'Rows per table of the public schema in the restored database' }),
    files_in_manifest: z.number().int(),
    files_restored: z.number().int().openapi({ description: 'Manifest files whose row exists in the restored database' }),
    files_missing: z.number().int().openapi({ description: 'Manifest files whose object is absent from the object store' }),
    in_place: z
      .object({
        pre_restore_backup_id: z.string().openapi({ description: 'The backup of the live database taken just before (kind pre_restore): restore it to undo this restore' }),
        row_counts_before: z.record(z.string(), z.number().int()).openapi({ description: 'Rows per table just before pg_restore (row_counts: after)' }),
        migrations: z
          .object({
            code_latest: z.string().nullable(),
            database_latest: z.string().nullable(),
            pending: z.array(z.string()).openapi({ description: "The code's migrations the restored schema_migrations lacks: apply them with POST /api/v1/migrations/run" }),
          })
          .openapi('RestoreMigrationCheck'),
        cache_invalidated: z.boolean().openapi({ description: 'Every cached read made unreachable (false: the cache store could not be told)' }),
        tombstones_revived: z.number().int().openapi({ description: 'Deferred object deletions cancelled because their file row came back' }),
      })
      .optional()
      .openapi({ description: 'in_place restores only' }),
  })
  .openapi('RestoreReport');

export const RestoreSchema = z
  .object({
    id: z.string(),
    backup_id: z.string(),
    target: z.enum(['new_database', 'in_place']),
    database_name: z.string(),
    status: z.enum(['queued', 'running', 'completed', 'failed']),
    progress: Progress,
    report: Report.nullable(),
    error: z.string().nullable(),
    started_at: DateTime,
    completed_at: DateTime.nullable(),
  })
  .openapi('Restore');
