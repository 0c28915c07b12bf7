import { z } from '../openapi/zod';

const Version = z.string().regex(/^\d{8}_\d{3}$/, 'expected a version such as 20240115_001').openapi({ example: '20240116_001' });
const DateTime = z.string().openapi({ format: 'date-time' });
const Duration = z.string().openapi({ example: '2 minutes' });

export const RunMigrationsBodySchema = z
  .object({
    target_version: Version.optional().openapi({ description: 'Apply up to and including this version; all pending when absent' }),
    dry_run: z.boolean().default(false).openapi({ description: 'Only list what would run' }),
  })
  .strict()
  .openapi('RunMigrationsRequest');

export const MigrationRunParamsSchema = z.object({
  migration_id: z.string().min(1).max(64).openapi({ example: 'mig_3f9a1c2b7d4e' }),
});

const PlannedMigration = z
  .object({ version: Version, description: z.string(), estimated_duration: Duration, estimated_duration_ms: z.number().int() })
  .openapi('PlannedMigration');

export const MigrationStatusResponseSchema = z
  .object({
    current_version: Version.nullable(),
    pending_migrations: z.array(PlannedMigration),
    last_migration: z.object({ version: Version, applied_at: DateTime, duration_ms: z.number().int() }).nullable(),
    applied_count: z.number().int(),
    modified_migrations: z
      .array(z.object({ version: Version, applied_checksum: z.string(), current_checksum: z.string() }))
      .openapi({ description: 'Applied migrations whose script changed since; they are not re-run' }),
  })
  .openapi('MigrationStatus');

const Progress = z
  .object({
    current_step: z.number().int(),
    total_steps: z.number().int(),
    estimated_remaining: Duration,
    estimated_remaining_ms: z.number().int(),
  })
  .openapi('MigrationProgress');

const RunStatus = z.enum(['running', 'completed', 'failed', 'dry_run']).openapi({ description: 'dry_run: a plan, nothing was applied' });

export const MigrationRunStartedSchema = z
  .object({
    migration_id: z.string().openapi({ example: 'mig_3f9a1c2b7d4e' }),
    status: RunStatus,
    dry_run: z.boolean(),
    target_version: Version.nullable(),
    progress: Progress,
    migrations: z.array(PlannedMigration).openapi({ description: 'What this run applies (or, for a dry run, would apply), in order' }),
  })
  .openapi('MigrationRunStarted');

const RunError = z.object({ version: z.string(), message: z.string() }).openapi('MigrationRunError');

export const MigrationRunResponseSchema = z
  .object({
    migration_id: z.string(),
    status: RunStatus,
    dry_run: z.boolean(),
    target_version: Version.nullable(),
    started_at: DateTime,
    finished_at: DateTime.nullable(),
    progress: Progress,
    steps: z.array(
      z.object({
        version: Version,
        description: z.string(),
        status: z.enum(['pending', 'running', 'completed', 'failed', 'skipped']),
        started_at: DateTime.nullable(),
        finished_at: DateTime.nullable(),
        duration_ms: z.number().int().nullable(),
      }),
    ),
    error: RunError.nullable(),
  })
  .openapi('MigrationRun');
