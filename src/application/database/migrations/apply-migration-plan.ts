import type { Clock } from '../../ports/clock.port';
import type { Logger } from '../../ports/logger.port';
import type { MigrationLock } from '../../ports/migration-store.port';
import type { MigrationRunStore } from '../../ports/migration-run-store.port';
import type { MigrationScript } from '../../../domain/database/migration';
import { runFailed, stepCompleted, stepStarted, type MigrationRun } from '../../../domain/database/migration-run';
import { MigrationFailed } from '../../../domain/database/errors';
import { DomainError } from '../../../domain/shared/domain-error';

export interface ApplyPlanDeps {
  lock: MigrationLock;
  runs: MigrationRunStore;
  clock: Clock;
  logger: Logger;
}

/**
 * Applies the run's scripts one by one under the held lock, saving the run after each step so any
 * instance can report progress. Stops at the first failure and records it on the run; never throws,
 * so it can run in the background. The caller releases the lock.
 */
export async function applyMigrationPlan(run: MigrationRun, scripts: readonly MigrationScript[], deps: ApplyPlanDeps): Promise<MigrationRun> {
  let current = run;
  let step: string | undefined;
  try {
    for (const script of scripts) {
      step = script.version;
      current = stepStarted(current, script.version, deps.clock.now());
      await deps.runs.save(current);
      const applied = await deps.lock.apply(script, [
        { action: 'migration.apply', targetType: 'migration', targetId: script.version, outcome: 'success', details: { run_id: run.id, description: script.description, checksum: script.checksum } },
      ]);
      current = stepCompleted(current, script.version, applied.durationMs, deps.clock.now());
      await deps.runs.save(current);
      deps.logger.info({ migration_id: run.id, version: script.version, duration_ms: applied.durationMs }, 'migration applied');
    }
    return current;
  } catch (error) {
    const version = step ?? scripts[0]?.version ?? '';
    current = runFailed(current, version, reasonOf(error, deps.logger, run.id), deps.clock.now());
    deps.logger.error({ migration_id: run.id, version, error: current.error?.message }, 'migration run failed');
    // The run must not stay "running" if it can be helped; if the database is gone, the next run
    // that takes the lock marks it interrupted.
    await deps.runs.save(current).catch((saveError: unknown) => {
      deps.logger.error({ migration_id: run.id, err: describe(saveError) }, 'could not record the failed migration run');
    });
    return current;
  }
}

function reasonOf(error: unknown, logger: Logger, runId: string): string {
  if (error instanceof MigrationFailed) return error.reason;
  if (error instanceof DomainError) return error.message;
  logger.error({ migration_id: runId, err: describe(error) }, 'unexpected error during a migration run');
  return 'An unexpected error occurred; see the service log';
}

function describe(error: unknown): object {
  return error instanceof Error ? { message: error.message, stack: error.stack } : { value: String(error) };
}
