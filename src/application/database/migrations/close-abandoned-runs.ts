import type { Clock } from '../../ports/clock.port';
import type { MigrationRunStore } from '../../ports/migration-run-store.port';
import { runInterrupted } from '../../../domain/database/migration-run';

/**
 * A run's owner records its final status before releasing the lock, so a run still marked running
 * when the caller holds the lock belongs to a process that died. Call only while holding the lock.
 */
export async function closeAbandonedRuns(runs: MigrationRunStore, clock: Clock): Promise<void> {
  for (const run of await runs.running()) await runs.save(runInterrupted(run, clock.now()));
}
