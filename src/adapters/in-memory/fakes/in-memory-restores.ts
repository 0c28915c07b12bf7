import type { NewRestore, RestoreRepository } from '../../../application/ports/restore-repository.port';
import type { Restore, RestoreProgress, RestoreReport } from '../../../domain/database/restore';

/** db_restores in memory, with the same one-active-restore rule as the table's partial unique index. */
export class InMemoryRestores implements RestoreRepository {
  private readonly rows = new Map<string, Restore>();

  async create(restore: NewRestore): Promise<{ created: true } | { created: false; activeId: string | null }> {
    const active = [...this.rows.values()].find((r) => r.status === 'queued' || r.status === 'running');
    if (active) return { created: false, activeId: active.id };
    this.rows.set(restore.id, { ...restore, status: 'queued', report: null, error: null, completedAt: null });
    return { created: true };
  }

  async findById(id: string): Promise<Restore | null> {
    const row = this.rows.get(id);
    return row ? structuredClone(row) : null;
  }

  async saveProgress(id: string, progress: RestoreProgress, status?: 'running'): Promise<void> {
    const row = this.active(id);
    if (row) this.rows.set(id, { ...row, progress: { ...progress }, status: status ?? row.status });
  }

  async complete(id: string, report: RestoreReport, progress: RestoreProgress, at: Date): Promise<void> {
    const row = this.rows.get(id);
    if (row) this.rows.set(id, { ...row, status: 'completed', report: structuredClone(report), progress: { ...progress }, completedAt: at });
  }

  async fail(id: string, error: string, progress: RestoreProgress, at: Date): Promise<void> {
    const row = this.active(id);
    if (row) this.rows.set(id, { ...row, status: 'failed', error, progress: { ...progress }, completedAt: at });
  }

  /** No heartbeat expiry here: the fake's restores never belong to a dead instance. */
  async activeInPlace(): Promise<{ id: string } | null> {
    const row = [...this.rows.values()].find((r) => r.target === 'in_place' && (r.status === 'queued' || r.status === 'running'));
    return row ? { id: row.id } : null;
  }

  private active(id: string): Restore | undefined {
    const row = this.rows.get(id);
    return row && (row.status === 'queued' || row.status === 'running') ? row : undefined;
  }
}
