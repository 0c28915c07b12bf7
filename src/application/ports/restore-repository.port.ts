import type { Restore, RestoreProgress, RestoreReport } from '../../domain/database/restore';

export type NewRestore = Pick<Restore, 'id' | 'backupId' | 'target' | 'databaseName' | 'startedAt' | 'progress'>;

/** The db_restores table. At most one restore is queued or running, enforced by the store itself. */
export interface RestoreRepository {
  create(restore: NewRestore): Promise<{ created: true } | { created: false; activeId: string | null }>;
  findById(id: string): Promise<Restore | null>;
  saveProgress(id: string, progress: RestoreProgress, status?: 'running'): Promise<void>;
  complete(id: string, report: RestoreReport, progress: RestoreProgress, at: Date): Promise<void>;
  fail(id: string, error: string, progress: RestoreProgress, at: Date): Promise<void>;
  /**
   * The in_place restore queued or running with a recent heartbeat, if any: the maintenance window
   * every instance reads. A dead instance's restore stops counting once its heartbeat is stale.
   */
  activeInPlace(): Promise<{ id: string } | null>;
}
