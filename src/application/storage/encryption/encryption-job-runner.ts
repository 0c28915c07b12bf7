import { ciphertextSize } from '../../../domain/crypto/segmented-format';
import { DomainError } from '../../../domain/shared/domain-error';
import type { ContentCipher } from '../../ports/content-cipher.port';
import type { ExclusiveLocks } from '../../ports/exclusive-locks.port';
import type { EncryptionJob, EncryptionJobKind, FileEncryptionRepository, FileToEncrypt } from '../../ports/file-encryption-repository.port';
import type { Logger } from '../../ports/logger.port';
import type { ObjectStore } from '../../ports/object-store.port';
import type { RetainedObjects } from '../../ports/retained-objects.port';
import type { FileContent } from './file-content';

/** Copies an encrypted file's new object to the backup provider (ReplicateToBackup). */
export interface BackupRecopy {
  readonly enabled: boolean;
  execute(file: { id: string; filePath: string; mimeType: string }): void;
}

const BATCH = 100;
/** Suffix of the encrypted object encrypt-existing writes beside a file's clear one. */
export const ENCRYPTED_OBJECT_SUFFIX = '.vbse';

/**
 * Runs the encryption jobs in this process, one per kind at a time, with their progress in
 * encryption_jobs (read by GET /admin/encryption/status). A job left running by a stop or a crash is
 * resumed at the next start (`resume`): each step is a compare-and-set on the file's row, so redoing
 * one is harmless, and files are walked in id order from wherever they still need work.
 *
 * - rotate: every data key not under the active master key is unwrapped and wrapped again under it;
 *   no object is read or rewritten. Files stay readable throughout (old and new wrap both open).
 * - encrypt_existing: a file stored in clear is encrypted into a new object (its key + ".vbse"), the
 *   row is swapped to it, then the clear object is removed (or tombstoned, when a kept database backup
 *   lists it, like a deleted file's). A crash before the swap leaves the old
 *   object valid (and an orphan the next run overwrites); after it, the new one.
 */
export class EncryptionJobRunner {
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;
  private readonly lost = new Set<EncryptionJobKind>();

  constructor(
    private readonly repo: FileEncryptionRepository,
    private readonly store: ObjectStore,
    private readonly content: FileContent,
    private readonly cipher: ContentCipher,
    private readonly backup: ObjectStore | null,
    private readonly recopy: BackupRecopy | null,
    private readonly logger: Logger,
    /** The clear object a kept database backup lists outlives the swap (a restore of that backup reads it). */
    private readonly retained: RetainedObjects | null = null,
    /**
     * With several processes or instances: a job runs only in the process holding its kind's lock, as
     * two running one encrypt-existing job would write (and delete) each other's new objects.
     */
    private readonly locks: ExclusiveLocks | null = null,
  ) {
    // A lock lost with its database session may be taken by another process: the job stops here.
    locks?.onLost((names) => {
      for (const kind of ['rotate', 'encrypt_existing'] as const) if (names.includes(`encryption job: ${kind}`)) this.lost.add(kind);
    });
  }

  /** Starts a job of this kind, or returns the one already running (`started: false`). */
  async start(kind: EncryptionJobKind): Promise<{ job: EncryptionJob; started: boolean }> {
    const total = kind === 'rotate' ? await this.filesToRewrap() : await this.repo.unencryptedFiles();
    const job = await this.repo.startJob(kind, this.cipher.activeKeyId, total);
    if (job) {
      // Not claimed: another process is finishing a job of this kind; the next resume pass runs this one.
      if (await this.claim(kind)) this.launch(job);
      return { job, started: true };
    }
    const running = (await this.repo.runningJobs()).find((j) => j.kind === kind);
    if (!running) return this.start(kind); // finished between the insert and the read
    // Left by a previous process, unless another process runs it now (it holds the lock).
    if (!this.running.has(running.id) && (await this.claim(running.kind))) this.launch(running);
    return { job: running, started: false };
  }

  /** Picks up the jobs a stop or a crash left running. */
  async resume(): Promise<void> {
    this.stopping = false;
    for (const job of await this.repo.runningJobs()) {
      if (this.running.has(job.id) || !(await this.claim(job.kind))) continue;
      this.logger.info({ jobId: job.id, kind: job.kind, done: job.doneFiles, total: job.totalFiles }, 'resuming an encryption job');
      await this.repo.updateJob(job.id, { targetKeyId: this.cipher.activeKeyId, failedFiles: 0, lastError: null });
      this.launch({ ...job, targetKeyId: this.cipher.activeKeyId, failedFiles: 0 });
    }
  }

  /** Lets the file in progress finish; the jobs stay `running` for the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled(this.running.values());
  }

  /** Awaits the jobs in flight (tests). */
  async idle(): Promise<void> {
    await Promise.allSettled(this.running.values());
  }

  /** Whether this process may run jobs of `kind` (always, without locks). */
  private async claim(kind: EncryptionJobKind): Promise<boolean> {
    return this.locks ? this.locks.tryAcquire(`encryption job: ${kind}`) : true;
  }

  private launch(job: EncryptionJob): void {
    this.lost.delete(job.kind);
    const run = this.run(job)
      .catch((error: unknown) => {
        this.logger.error({ jobId: job.id, kind: job.kind, err: error instanceof Error ? error.message : String(error) }, 'encryption job stopped on an error; resumed at the next start');
      })
      .finally(async () => {
        this.running.delete(job.id);
        await this.locks?.release(`encryption job: ${job.kind}`).catch(() => undefined);
      });
    this.running.set(job.id, run);
  }

  private async run(job: EncryptionJob): Promise<void> {
    let { doneFiles: done, failedFiles: failed } = job;
    let lastError: string | null = null;
    let afterId: string | null = null;
    for (;;) {
      if (this.stopping || this.lost.has(job.kind)) return;
      const batch: FileToEncrypt[] =
        job.kind === 'rotate' ? await this.repo.wrappedUnder(this.cipher.activeKeyId, afterId, BATCH) : await this.repo.unencrypted(afterId, BATCH);
      if (batch.length === 0) break;
      for (const file of batch) {
        if (this.stopping || this.lost.has(job.kind)) break;
        try {
          if (await (job.kind === 'rotate' ? this.rewrap(file) : this.encrypt(file))) done += 1;
        } catch (error) {
          failed += 1;
          lastError = error instanceof DomainError ? `${error.code}: ${error.message}` : 'could not process a file (see the service log)';
          this.logger.warn({ jobId: job.id, fileId: file.id, err: error instanceof Error ? error.message : String(error) }, 'encryption job: file skipped');
        }
        afterId = file.id;
      }
      await this.repo.updateJob(job.id, { doneFiles: done, failedFiles: failed, lastError });
    }
    if (this.stopping || this.lost.has(job.kind)) return;
    await this.repo.updateJob(job.id, { status: failed > 0 ? 'failed' : 'completed', doneFiles: done, failedFiles: failed, lastError });
    this.logger.info({ jobId: job.id, kind: job.kind, done, failed }, 'encryption job finished');
  }

  private async filesToRewrap(): Promise<number> {
    const perKey = await this.repo.filesPerKey();
    return perKey.filter((k) => k.keyId !== this.cipher.activeKeyId).reduce((sum, k) => sum + k.files, 0);
  }

  private async rewrap(file: FileToEncrypt): Promise<boolean> {
    if (!file.encryption) return false;
    return this.repo.rewrap(file.id, file.encryption, this.cipher.rewrap(file.encryption));
  }

  private async encrypt(file: FileToEncrypt): Promise<boolean> {
    const toPath = `${file.filePath}${ENCRYPTED_OBJECT_SUFFIX}`;
    const { size, encryption } = await this.content.write(toPath, await this.store.get(file.filePath), file.mimeType);
    if (!encryption || size !== ciphertextSize(file.sizeBytes)) {
      await this.store.delete(toPath);
      throw new Error(`the clear object does not hold the ${file.sizeBytes} bytes its row records`);
    }
    if (!(await this.repo.swapToEncrypted(file.id, file.filePath, toPath, encryption))) {
      await this.store.delete(toPath);
      return false;
    }
    const kept = this.retained ? await this.retained.retainIfListed({ fileId: file.id, key: file.filePath, storageProvider: this.store.provider }) : false;
    if (!kept) {
      await this.store.delete(file.filePath);
      if (this.backup) await this.backup.delete(file.filePath);
    }
    if (this.recopy?.enabled) this.recopy.execute({ id: file.id, filePath: toPath, mimeType: file.mimeType });
    return true;
  }
}
