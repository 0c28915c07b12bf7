import type { EncryptionStatus } from '../../../application/storage/encryption/get-encryption-status';
import type { EncryptionJob } from '../../../application/ports/file-encryption-repository.port';

export function presentEncryptionJob(job: EncryptionJob) {
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    target_key_id: job.targetKeyId,
    total_files: job.totalFiles,
    done_files: job.doneFiles,
    failed_files: job.failedFiles,
    progress_percent: job.totalFiles === 0 ? (job.status === 'running' ? 0 : 100) : Math.min(100, Math.round((job.doneFiles / job.totalFiles) * 1000) / 10),
    last_error: job.lastError,
    started_at: job.startedAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
    finished_at: job.finishedAt ? job.finishedAt.toISOString() : null,
  };
}

export function presentEncryptionStatus(status: EncryptionStatus) {
  return {
    enabled: status.enabled,
    active_key_id: status.activeKeyId,
    keys: status.keys.map((k) => ({ key_id: k.keyId, files: k.files, in_keyring: k.inKeyring, active: k.active })),
    unencrypted_files: status.unencryptedFiles,
    files_with_missing_keys: status.filesWithMissingKeys,
    jobs: {
      rotate: status.jobs.rotate ? presentEncryptionJob(status.jobs.rotate) : null,
      encrypt_existing: status.jobs.encryptExisting ? presentEncryptionJob(status.jobs.encryptExisting) : null,
    },
  };
}
