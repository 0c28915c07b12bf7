import type { BackgroundTasks } from '../../ports/background-tasks.port';
import type { Clock } from '../../ports/clock.port';
import type { Logger } from '../../ports/logger.port';
import type { MigrationRunStore } from '../../ports/migration-run-store.port';
import type { MigrationSource } from '../../ports/migration-source.port';
import type { MigrationStore } from '../../ports/migration-store.port';
import { MigrationInProgress } from '../../../domain/database/errors';
import { assertKnownTarget, planMigrations } from '../../../domain/database/migration-plan';
import { newMigrationRun, stepStarted, type MigrationRun } from '../../../domain/database/migration-run';
import { applyMigrationPlan } from './apply-migration-plan';
import { closeAbandonedRuns } from './close-abandoned-runs';
import { newMigrationRunId } from './migration-run-id';

export interface RunMigrationsInput {
  /** Apply up to and including this version; all pending when absent. */
  targetVersion?: string;
  /** Plan only: nothing is locked or applied. */
  dryRun?: boolean;
}

/**
 * Starts a migration run and answers at once: the lock is taken here, synchronously, so a second
 * caller learns of the conflict immediately (MigrationInProgress), while the steps are applied in
 * the background and the run records their progress. A run with nothing to do, and a dry run,
 * come back already completed.
 */
export class RunMigrations {
  constructor(
    private readonly source: MigrationSource,
    private readonly store: MigrationStore,
    private readonly runs: MigrationRunStore,
    private readonly tasks: BackgroundTasks,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly newRunId: () => string = newMigrationRunId,
  ) {}

  async execute(input: RunMigrationsInput = {}): Promise<MigrationRun> {
    const scripts = await this.source.list();
    assertKnownTarget(scripts, input.targetVersion);
    const targetVersion = input.targetVersion ?? null;

    if (input.dryRun) {
      const plan = planMigrations(scripts, await this.store.applied(), input.targetVersion);
      const run = newMigrationRun({ id: this.newRunId(), plan, targetVersion, dryRun: true, now: this.clock.now() });
      await this.runs.save(run);
      return run;
    }

    const lock = await this.store.tryLock();
    if (!lock) throw new MigrationInProgress(await this.runningRunId());
    let handedOff = false;
    try {
      await closeAbandonedRuns(this.runs, this.clock);
      // Planned under the lock: what is applied cannot change until it is released.
      const plan = planMigrations(scripts, await this.store.applied(), input.targetVersion);
      let run = newMigrationRun({ id: this.newRunId(), plan, targetVersion, dryRun: false, now: this.clock.now() });
      const first = plan[0];
      if (first) run = stepStarted(run, first.version, this.clock.now());
      await this.runs.save(run);
      if (run.status !== 'running') return run;

      this.tasks.start(`migration run ${run.id}`, async () => {
        try {
          await applyMigrationPlan(run, plan, { lock, runs: this.runs, clock: this.clock, logger: this.logger });
        } finally {
          await lock.release();
        }
      });
      handedOff = true;
      return run;
    } finally {
      if (!handedOff) await lock.release();
    }
  }

  /** For the 409's details; the conflict stands even when the run cannot be named. */
  private async runningRunId(): Promise<{ migration_id?: string }> {
    const running = await this.runs.running().catch(() => []);
    return running[0] ? { migration_id: running[0].id } : {};
  }
}
