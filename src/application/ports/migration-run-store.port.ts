import type { MigrationRun } from '../../domain/database/migration-run';

/** Runs recorded where every instance can read them, so any instance can report a run's progress. */
export interface MigrationRunStore {
  /** Inserts or replaces the run with the same id. */
  save(run: MigrationRun): Promise<void>;
  get(id: string): Promise<MigrationRun | null>;
  /** Runs still marked running: while the lock is held by the caller, these were abandoned. */
  running(): Promise<MigrationRun[]>;
}
