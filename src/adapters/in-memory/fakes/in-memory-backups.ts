import { isActive, type Backup, type BackupManifestEntry, type BackupProgress } from '../../../domain/database/backup';
import type { BackupOutcome, BackupRepository, NewBackup } from '../../../application/ports/backup-repository.port';
import type { RetainedObjects, Tombstone } from '../../../application/ports/retained-objects.port';

/**
 * Backups, manifests and tombstones in memory: one adapter for both ports, since what a tombstone
 * waits for is the backups' manifests (as the tables are joined in PostgreSQL). `livePaths` stands
 * for the files table: a key a live row uses again is never released.
 */
export class InMemoryBackups implements BackupRepository, RetainedObjects {
  private readonly rows = new Map<string, Backup & { heartbeatAt: Date }>();
  private readonly manifests = new Map<string, BackupManifestEntry[]>();
  private readonly tombstones = new Map<string, Tombstone & { at: number }>();
  readonly livePaths = new Set<string>();
  private sequence = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** What a snapshot's manifest copy does in PostgreSQL. */
  recordManifest(backupId: string, entries: BackupManifestEntry[]): void {
    this.manifests.set(backupId, entries.map((e) => ({ ...e })));
  }

  async create(backup: NewBackup): Promise<{ created: true } | { created: false; activeId: string | null }> {
    const active = [...this.rows.values()].find(isActive);
    if (active) return { created: false, activeId: active.id };
    this.rows.set(backup.id, {
      ...backup,
      status: 'queued',
      completedAt: null,
      sizeBytes: null,
      sha256: null,
      serverVersion: null,
      migrationVersion: null,
      filesInManifest: null,
      expiresAt: null,
      error: null,
      progress: { ...backup.progress },
      storage: { ...backup.storage },
      heartbeatAt: this.now(),
    });
    return { created: true };
  }

  async findById(id: string): Promise<Backup | null> {
    const row = this.rows.get(id);
    return row ? copy(row) : null;
  }

  async list(page: number, limit: number): Promise<{ backups: Backup[]; total: number }> {
    const all = this.newestFirst();
    return { backups: all.slice((page - 1) * limit, page * limit).map(copy), total: all.length };
  }

  async markRunning(id: string, progress: BackupProgress): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || row.status !== 'queued') return false;
    Object.assign(row, { status: 'running', progress: { ...progress }, heartbeatAt: this.now() });
    return true;
  }

  async saveProgress(id: string, progress: BackupProgress): Promise<void> {
    const row = this.rows.get(id);
    if (row && isActive(row)) Object.assign(row, { progress: { ...progress }, heartbeatAt: this.now() });
  }

  async complete(id: string, outcome: BackupOutcome, progress: BackupProgress): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || row.status !== 'running') return false;
    Object.assign(row, { ...outcome, status: 'completed', progress: { ...progress }, error: null, heartbeatAt: this.now() });
    return true;
  }

  async fail(id: string, error: string, progress: BackupProgress): Promise<void> {
    const row = this.rows.get(id);
    if (!row || !isActive(row)) return;
    Object.assign(row, { status: 'failed', error, progress: { ...progress }, completedAt: this.now(), heartbeatAt: this.now() });
    this.manifests.delete(id);
  }

  async remove(id: string): Promise<void> {
    this.rows.delete(id);
    this.manifests.delete(id);
  }

  async stale(before: Date): Promise<Backup[]> {
    return [...this.rows.values()].filter((row) => isActive(row) && row.heartbeatAt < before).map(copy);
  }

  async expired(now: Date, keepMin: number, limit: number): Promise<Backup[]> {
    const kept = new Set(
      [...this.rows.values()]
        .filter((row) => row.status === 'completed')
        .sort((a, b) => b.completedAt!.getTime() - a.completedAt!.getTime())
        .slice(0, keepMin)
        .map((row) => row.id),
    );
    return [...this.rows.values()]
      .filter((row) => (row.status === 'completed' || row.status === 'failed') && row.expiresAt !== null && row.expiresAt <= now && !kept.has(row.id))
      .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime())
      .slice(0, limit)
      .map(copy);
  }

  async lastCompleted(): Promise<Backup | null> {
    const done = [...this.rows.values()].filter((row) => row.status === 'completed').sort((a, b) => b.completedAt!.getTime() - a.completedAt!.getTime());
    return done[0] ? copy(done[0]) : null;
  }

  async manifest(id: string, offset: number, limit: number): Promise<BackupManifestEntry[]> {
    return [...(this.manifests.get(id) ?? [])].sort((a, b) => (a.fileId < b.fileId ? -1 : 1)).slice(offset, offset + limit).map((e) => ({ ...e }));
  }

  async retainIfListed(file: Tombstone): Promise<boolean> {
    if (!this.anyActive() && !this.listed(file.key)) return false;
    this.tombstones.set(file.key, { ...file, at: this.sequence++ });
    return true;
  }

  async releasable(limit: number): Promise<Tombstone[]> {
    if (this.anyActive()) return [];
    return [...this.tombstones.values()]
      .filter((t) => !this.listed(t.key) && !this.livePaths.has(t.key))
      .sort((a, b) => a.at - b.at)
      .slice(0, limit)
      .map(({ fileId, key, storageProvider }) => ({ fileId, key, storageProvider }));
  }

  async forget(key: string): Promise<void> {
    this.tombstones.delete(key);
  }

  async forgetRevived(): Promise<number> {
    const revived = [...this.tombstones.keys()].filter((key) => this.livePaths.has(key));
    for (const key of revived) this.tombstones.delete(key);
    return revived.length;
  }

  private anyActive(): boolean {
    return [...this.rows.values()].some(isActive);
  }

  private listed(key: string): boolean {
    return [...this.manifests.entries()].some(([id, entries]) => this.rows.get(id)?.status !== 'failed' && this.rows.has(id) && entries.some((e) => e.key === key));
  }

  private newestFirst(): Backup[] {
    return [...this.rows.values()].sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || (a.id < b.id ? 1 : -1));
  }
}

function copy(row: Backup & { heartbeatAt?: Date }): Backup {
  const { heartbeatAt: _ignored, ...backup } = row;
  return { ...backup, storage: { ...backup.storage }, progress: { ...backup.progress } };
}
