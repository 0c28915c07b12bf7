import type { LockedRenditions, ProductionLocks, Rendition, RenditionRepository } from '../../../application/ports/rendition-repository.port';

/**
 * The unit tests' rendition index and production locks, passing the same contract suite as
 * file_renditions and the advisory locks. Locks are per instance: share one to play processes
 * sharing a database.
 */
export class InMemoryRenditions implements RenditionRepository, ProductionLocks {
  private readonly rows = new Map<string, Rendition>();
  /** The tail of each name's queue: whoever asks next waits for it. */
  private readonly queues = new Map<string, Promise<void>>();

  async find(fileId: string, key: string): Promise<Rendition | null> {
    const row = this.rows.get(id(fileId, key));
    return row ? { ...row } : null;
  }

  async save(rendition: Rendition): Promise<void> {
    const at = id(rendition.fileId, rendition.key);
    if (!this.rows.has(at)) this.rows.set(at, { ...rendition });
  }

  async touch(fileId: string, key: string, at: Date): Promise<void> {
    const row = this.rows.get(id(fileId, key));
    if (row && row.lastUsedAt.getTime() < at.getTime()) row.lastUsedAt = at;
  }

  async ofFile(fileId: string): Promise<Rendition[]> {
    return [...this.rows.values()].filter((r) => r.fileId === fileId).map((r) => ({ ...r }));
  }

  async remove(fileId: string, key: string): Promise<void> {
    this.rows.delete(id(fileId, key));
  }

  /** What the files table's ON DELETE CASCADE does for file_renditions. */
  forgetFile(fileId: string): void {
    for (const [at, row] of this.rows) if (row.fileId === fileId) this.rows.delete(at);
  }

  async totalBytes(): Promise<number> {
    return [...this.rows.values()].reduce((sum, r) => sum + r.sizeBytes, 0);
  }

  async leastRecentlyUsed(limit: number): Promise<Rendition[]> {
    return [...this.rows.values()]
      .sort((a, b) => a.lastUsedAt.getTime() - b.lastUsedAt.getTime() || a.createdAt.getTime() - b.createdAt.getTime())
      .slice(0, limit)
      .map((r) => ({ ...r }));
  }

  /** Saves under the lock are kept when `work` succeeds, as a transaction's rows are at its COMMIT. */
  async exclusively<T>(name: string, work: (held: LockedRenditions) => Promise<T>): Promise<T> {
    const before = this.queues.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = before.then(() => mine);
    this.queues.set(name, tail);
    await before;
    const pending: Rendition[] = [];
    const held: LockedRenditions = {
      find: async (fileId, key) => {
        const mine = pending.find((r) => r.fileId === fileId && r.key === key);
        return mine ? { ...mine } : this.find(fileId, key);
      },
      save: async (rendition) => {
        if (!pending.some((r) => r.fileId === rendition.fileId && r.key === rendition.key)) pending.push({ ...rendition });
      },
    };
    try {
      const result = await work(held);
      for (const r of pending) await this.save(r);
      return result;
    } finally {
      release();
      if (this.queues.get(name) === tail) this.queues.delete(name);
    }
  }
}

function id(fileId: string, key: string): string {
  return `${fileId}/${key}`;
}
