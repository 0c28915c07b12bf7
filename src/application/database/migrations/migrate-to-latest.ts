import type { Clock } from '../../ports/clock.port';
import type { Logger } from '../../ports/logger.port';
import type { MigrationRunStore } from '../../ports/migration-run-store.port';
import type { MigrationSource } from '../../ports/migration-source.port';
import type { MigrationStore } from '../../ports/migration-store.port';
import { MigrationFailed } from '../../../domain/database/errors';
import { migrationStatus, planMigrations } from '../../../domain/database/migration-plan';
import { newMigrationRun } from '../../../domain/database/migration-run';
import { applyMigrationPlan } from './apply-migration-plan';
import { closeAbandonedRuns } from './close-abandoned-runs';
import { newMigrationRunId } from './migration-run-id';

/**
 * Brings the database to the latest version before the service serves (and before tests run).
 * Unlike a run requested over HTTP it queues behind another instance's run instead of failing,
 * and it throws when a migration fails, so a service does not start on a half-migrated schema.
 */
export class MigrateToLatest {
  constructor(
    private readonly source: MigrationSource,
    private readonly store: MigrationStore,
    private readonly runs: MigrationRunStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly newRunId: () => string = newMigrationRunId,
  ) {}

  async execute(): Promise<void> {
    const scripts = await this.source.list();
    const lock = await this.store.lock();
    try {
      await closeAbandonedRuns(this.runs, this.clock);
      const applied = await this.store.applied();
      for (const changed of migrationStatus(scripts, applied).modified) {
        this.logger.warn({ version: changed.version }, 'an applied migration was modified since; it is not re-run');
      }
      const plan = planMigrations(scripts, applied);
      if (plan.length === 0) return;
      const run = newMigrationRun({ id: this.newRunId(), plan, targetVersion: null, dryRun: false, now: this.clock.now() });
      await this.runs.save(run);
      const final = await applyMigrationPlan(run, plan, { lock, runs: this.runs, clock: this.clock, logger: this.logger });
      if (final.error) throw new MigrationFailed(final.error.version, final.error.message);
    } finally {
      await lock.release();
    }
  }
}
