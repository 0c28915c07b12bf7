import { z } from '../openapi/zod';

const DateTime = z.string().openapi({ format: 'date-time' });

export const StartRestoreBodySchema = z
  .object({
    target: z.literal('new_database').openapi({ description: 'new_database: a fresh database on the same server, for inspection; the live one is untouched' }),
    database_name: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case identifier: a-z, 0-9 and _, not starting with a digit, at most 63 characters')
      .openapi({ description: 'The database to create; it must not exist', example: 'restored_20240301' }),
  })
  .strict()
  .openapi('StartRestoreRequest');

export const RestoreParamsSchema = z.object({
  id: z.string().min(1).max(64).openapi({ example: '9b1c2f3e-2a43-4a54-a7a1-1d2d1e0c9b7e' }),
});

const Progress = z
  .object({
    phase: z.enum(['queued', 'creating_database', 'restoring', 'reporting', 'completed', 'failed']),
    bytes_read: z.number().int().openapi({ description: 'Archive bytes (decrypted) fed to pg_restore so far' }),
  })
  .openapi('RestoreProgress');

const Report = z
  .object({
    row_counts: z.record(z.string(), z.number().int()).openapi({ description: 'Rows per table of the public schema in the restored database' }),
    files_in_manifest: z.number().int(),
    files_restored: z.number().int().openapi({ description: 'Manifest files whose row exists in the restored database' }),
    files_missing: z.number().int().openapi({ description: 'Manifest files whose object is absent from the object store' }),
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
