import type { MigrationDefinition } from '../../../domain/database/migration';
import type { MigrationStatus } from '../../../domain/database/migration-plan';
import { progressOf, type MigrationRun } from '../../../domain/database/migration-run';
import { humanDuration } from './human-duration';

/** The wire shapes of the migration endpoints: snake_case, the seed's fields first. */

export function presentStatus(status: MigrationStatus) {
  return {
    current_version: status.currentVersion,
    pending_migrations: status.pending.map(presentPlanned),
    last_migration: status.lastMigration
      ? { version: status.lastMigration.version, applied_at: status.lastMigration.appliedAt.toISOString(), duration_ms: status.lastMigration.durationMs }
      : null,
    applied_count: status.appliedCount,
    modified_migrations: status.modified.map((m) => ({ version: m.version, applied_checksum: m.appliedChecksum, current_checksum: m.currentChecksum })),
  };
}

export function presentRunStarted(run: MigrationRun) {
  return {
    migration_id: run.id,
    status: wireStatus(run),
    dry_run: run.dryRun,
    target_version: run.targetVersion,
    progress: presentProgress(run),
    migrations: run.steps.map(presentPlanned),
  };
}

export function presentRun(run: MigrationRun) {
  return {
    migration_id: run.id,
    status: wireStatus(run),
    dry_run: run.dryRun,
    target_version: run.targetVersion,
    started_at: run.startedAt.toISOString(),
    finished_at: run.finishedAt?.toISOString() ?? null,
    progress: presentProgress(run),
    steps: run.steps.map((s) => ({
      version: s.version,
      description: s.description,
      status: s.status,
      started_at: s.startedAt?.toISOString() ?? null,
      finished_at: s.finishedAt?.toISOString() ?? null,
      duration_ms: s.durationMs,
    })),
    error: run.error ? { version: run.error.version, message: run.error.message } : null,
  };
}

/** A dry run is recorded as a completed run; on the wire it says what it was. */
function wireStatus(run: MigrationRun): 'running' | 'completed' | 'failed' | 'dry_run' {
  return run.dryRun ? 'dry_run' : run.status;
}

function presentProgress(run: MigrationRun) {
  const p = progressOf(run);
  return {
    current_step: p.currentStep,
    total_steps: p.totalSteps,
    estimated_remaining: humanDuration(p.estimatedRemainingMs),
    estimated_remaining_ms: p.estimatedRemainingMs,
  };
}

function presentPlanned(m: Pick<MigrationDefinition, 'version' | 'description' | 'estimatedDurationMs'>) {
  return {
    version: m.version,
    description: m.description,
    estimated_duration: humanDuration(m.estimatedDurationMs),
    estimated_duration_ms: m.estimatedDurationMs,
  };
}
