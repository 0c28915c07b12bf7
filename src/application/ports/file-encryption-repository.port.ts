import type { FileEncryption, StoredFile } from '../../domain/storage/stored-file';

export type EncryptionJobKind = 'rotate' | 'encrypt_existing';
export type EncryptionJobStatus = 'running' | 'completed' | 'failed';

/** A row of encryption_jobs: a rotation or an encrypt-existing run and its progress. */
export interface EncryptionJob {
  id: string;
  kind: EncryptionJobKind;
  status: EncryptionJobStatus;
  /** The master key the job writes under (the active key when it started or resumed). */
  targetKeyId: string;
  totalFiles: number;
  doneFiles: number;
  failedFiles: number;
  lastError: string | null;
  startedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export type FileToEncrypt = Pick<StoredFile, 'id' | 'filePath' | 'sizeBytes' | 'mimeType' | 'encryption'>;

/**
 * The encryption columns of `files` (encryption_key_id, encryption_wrapped_key) as the rotation and
 * encrypt-existing jobs walk them, and the encryption_jobs progress rows. Every file update is a
 * compare-and-set on what the job read, so a file changed or deleted meanwhile is left alone, and a
 * job run twice (a restart, two instances) does each file once.
 */
export interface FileEncryptionRepository {
  /** Encrypted files (trash included) per master key id. */
  filesPerKey(): Promise<Array<{ keyId: string; files: number }>>;
  unencryptedFiles(): Promise<number>;
  /** Encrypted files whose master key is not one of `keyIds`. */
  filesWithKeyOutside(keyIds: readonly string[]): Promise<number>;
  /** Encrypted files not under `keyId`, by id after `afterId`. */
  wrappedUnder(notKeyId: string, afterId: string | null, limit: number): Promise<FileToEncrypt[]>;
  /** Files stored in clear, by id after `afterId`. */
  unencrypted(afterId: string | null, limit: number): Promise<FileToEncrypt[]>;
  /** Replaces the wrapped key if it is still `from`; false when the row changed or is gone. */
  rewrap(fileId: string, from: FileEncryption, to: FileEncryption): Promise<boolean>;
  /** Points a file stored in clear at its encrypted object; false when the row changed or is gone. */
  swapToEncrypted(fileId: string, fromPath: string, toPath: string, encryption: FileEncryption): Promise<boolean>;

  /** A new running job, or null when one of this kind is already running. */
  startJob(kind: EncryptionJobKind, targetKeyId: string, totalFiles: number): Promise<EncryptionJob | null>;
  runningJobs(): Promise<EncryptionJob[]>;
  /** The most recent job of each kind. */
  latestJobs(): Promise<EncryptionJob[]>;
  findJob(id: string): Promise<EncryptionJob | null>;
  updateJob(id: string, patch: Partial<Pick<EncryptionJob, 'status' | 'targetKeyId' | 'totalFiles' | 'doneFiles' | 'failedFiles' | 'lastError'>>): Promise<void>;
}
