import type { BackgroundTasks } from '../../ports/background-tasks.port';
import type { FileRepository } from '../../ports/file-repository.port';
import type { Logger } from '../../ports/logger.port';
import type { ObjectStore } from '../../ports/object-store.port';
import { DomainError } from '../../../domain/shared/domain-error';
import { FileNotFound } from '../../../domain/storage/errors';
import type { StoredFile } from '../../../domain/storage/stored-file';

export interface ReplicationPolicy {
  maxAttempts: number;
  /** Wait before retry n is baseDelayMs * 2^(n-1). */
  baseDelayMs: number;
}

/** `backup`, when known, lets a retry carry on counting attempts where an interrupted run stopped. */
type Replicable = Pick<StoredFile, 'id' | 'filePath' | 'mimeType'> & { backup?: Pick<StoredFile['backup'], 'attempts'> };
type BackupRecord = StoredFile['backup'];

/**
 * Copies a stored file to the backup provider after the upload has answered, retrying with back-off,
 * and records the outcome in files.backup (pending → completed | failed). The copy streams from the
 * primary, so memory stays flat; a backup provider that is down never fails or slows an upload.
 * One copy per file at a time in this process: a second request for a file being copied is skipped.
 * A file whose row is gone (deleted for good meanwhile) is not copied, and a copy that lands after
 * the deletion is removed again, so a racing permanent delete leaves no orphan at the backup.
 */
export class ReplicateToBackup {
  private readonly copying = new Set<string>();

  constructor(
    private readonly primary: ObjectStore,
    private readonly backup: ObjectStore | null,
    private readonly files: FileRepository,
    private readonly tasks: BackgroundTasks,
    private readonly logger: Logger,
    private readonly policy: ReplicationPolicy = { maxAttempts: 5, baseDelayMs: 1_000 },
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** Whether files get a backup at all, so callers can create them 'pending' rather than 'none'. */
  get enabled(): boolean {
    return this.backup !== null;
  }

  get maxAttempts(): number {
    return this.policy.maxAttempts;
  }

  /** Copies started and not yet completed or given up: /health's backup queue. */
  get pending(): number {
    return this.copying.size;
  }

  /** Starts the copy in the background and returns at once. */
  execute(file: Replicable): void {
    if (!this.backup || this.copying.has(file.id)) return;
    this.copying.add(file.id);
    this.tasks.start(`backup ${file.id}`, async () => {
      try {
        await this.copy(file, this.backup!);
      } finally {
        this.copying.delete(file.id);
      }
    });
  }

  /**
   * The copy itself, awaited: the state it ended in, or null when nothing was recorded (a copy of this
   * file is already running here, or the file is gone).
   */
  async run(file: Replicable): Promise<BackupRecord | null> {
    const backup = this.backup;
    if (!backup) return { state: 'none', provider: null, attempts: 0, lastError: null };
    if (this.copying.has(file.id)) return null;
    this.copying.add(file.id);
    try {
      return await this.copy(file, backup);
    } finally {
      this.copying.delete(file.id);
    }
  }

  private async copy(file: Replicable, backup: ObjectStore): Promise<BackupRecord | null> {
    // null: the row is gone.
    const record = (r: BackupRecord) => this.files.update(file.id, { backup: r }).then((row) => (row ? r : null));
    let lastError = '';
    const first = Math.min((file.backup?.attempts ?? 0) + 1, this.policy.maxAttempts);
    let attempts = first - 1;
    for (let attempt = first; attempt <= this.policy.maxAttempts; attempt++) {
      attempts = attempt;
      if (!(await record({ state: 'pending', provider: backup.provider, attempts: attempt - 1, lastError: lastError || null }))) return null;
      try {
        const { size } = await backup.put(file.filePath, await this.primary.get(file.filePath), { contentType: file.mimeType });
        const expected = (await this.primary.head(file.filePath))?.size;
        if (expected !== undefined && expected !== size) throw new Error(`copied ${size} bytes of ${expected}`);
        const done = await record({ state: 'completed', provider: backup.provider, attempts: attempt, lastError: null });
        if (!done) await this.dropOrphan(file, backup);
        return done;
      } catch (error) {
        // Only domain errors carry messages fit for the files table; an SDK message may name hosts.
        lastError = error instanceof FileNotFound ? 'the primary object is gone' : error instanceof DomainError ? error.message : 'copy failed';
        this.logger.warn({ fileId: file.id, attempt, provider: backup.provider, err: error instanceof Error ? error.message : String(error) }, 'backup copy failed');
        // A file deleted meanwhile has nothing left to copy: retrying would only recreate an orphan.
        if (error instanceof FileNotFound) break;
        if (attempt < this.policy.maxAttempts) await this.sleep(this.policy.baseDelayMs * 2 ** (attempt - 1));
      }
    }
    return record({ state: 'failed', provider: backup.provider, attempts, lastError });
  }

  /** The file was deleted for good while its copy was in flight: the copy must not outlive it. */
  private async dropOrphan(file: Replicable, backup: ObjectStore): Promise<void> {
    await backup.delete(file.filePath).catch((error: unknown) =>
      this.logger.error({ fileId: file.id, key: file.filePath, err: error instanceof Error ? error.message : String(error) }, 'could not delete the backup copy of a deleted file'),
    );
  }
}
