import type { Transformation, TransformationListQuery, TransformationRepository, TransformationStatus } from '../../../application/ports/transformation-repository.port';

const LIVE: readonly TransformationStatus[] = ['queued', 'processing'];

/**
 * file_transformations in a Map, for unit tests. Each call runs to completion before another starts
 * (no await inside), which gives the status-conditional updates PostgreSQL's row-level atomicity.
 */
export class InMemoryTransformationRepository implements TransformationRepository {
  private readonly rows = new Map<string, Transformation>();

  async insert(t: Transformation): Promise<void> {
    if (this.rows.has(t.id)) throw new Error(`Transformation ${t.id} already exists`);
    // As the SQL insert: a new job has no outcome yet, whatever the object carries.
    this.rows.set(t.id, {
      ...structuredClone(t),
      targetFileId: null,
      errorMessage: null,
      attempts: 0,
      startedAt: null,
      completedAt: null,
      processingTimeMs: null,
    });
  }

  async findById(id: string): Promise<Transformation | null> {
    const row = this.rows.get(id);
    return row ? structuredClone(row) : null;
  }

  async queuedAhead(id: string): Promise<number> {
    const createdAt = this.rows.get(id)?.createdAt.getTime();
    if (createdAt === undefined) return 0;
    return [...this.rows.values()].filter((t) => t.status === 'queued' && t.createdAt.getTime() < createdAt).length;
  }

  async start(id: string, at: Date): Promise<Transformation | null> {
    const row = this.live(id);
    if (!row) return null;
    change(row, { status: 'processing', startedAt: row.startedAt ?? new Date(at), attempts: row.attempts + 1, progressPercent: 0 });
    return structuredClone(row);
  }

  async progress(id: string, percent: number): Promise<void> {
    const row = this.rows.get(id);
    if (row?.status === 'processing') row.progressPercent = Math.max(row.progressPercent, percent);
  }

  async complete(id: string, targetFileId: string, at: Date, processingTimeMs: number): Promise<boolean> {
    const row = this.rows.get(id);
    if (row?.status !== 'processing') return false;
    change(row, { status: 'completed', progressPercent: 100, targetFileId, completedAt: new Date(at), processingTimeMs, errorMessage: null });
    return true;
  }

  async fail(id: string, message: string, at: Date): Promise<boolean> {
    const row = this.live(id);
    if (!row) return false;
    change(row, { status: 'failed', errorMessage: message, completedAt: new Date(at) });
    return true;
  }

  async cancel(id: string, at: Date): Promise<boolean> {
    const row = this.live(id);
    if (!row) return false;
    change(row, { status: 'cancelled', completedAt: new Date(at) });
    return true;
  }

  async statusOf(id: string): Promise<TransformationStatus | null> {
    return this.rows.get(id)?.status ?? null;
  }

  async list(q: TransformationListQuery): Promise<{ transformations: Transformation[]; total: number }> {
    const matching = [...this.rows.values()]
      .filter((t) => (q.userId === null || t.userId === q.userId) && (q.status === undefined || t.status === q.status) && (q.sourceFileId === undefined || t.sourceFileId === q.sourceFileId))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
    const start = (q.page - 1) * q.limit;
    return { transformations: matching.slice(start, start + q.limit).map((t) => structuredClone(t)), total: matching.length };
  }

  /** The row if it is queued or processing: the only states a job moves on from. */
  private live(id: string): Transformation | undefined {
    const row = this.rows.get(id);
    return row && LIVE.includes(row.status) ? row : undefined;
  }
}

/** Object.assign with the changes checked against the row's type. */
function change(row: Transformation, changes: Partial<Transformation>): void {
  Object.assign(row, changes);
}
