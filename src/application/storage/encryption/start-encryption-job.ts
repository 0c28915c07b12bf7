import { Conflict } from '../../../domain/shared/errors';
import type { EncryptionJob, EncryptionJobKind } from '../../ports/file-encryption-repository.port';
import type { EncryptionJobRunner } from './encryption-job-runner';

/**
 * POST /admin/encryption/rotate and /admin/encryption/encrypt-existing: starts the job in the
 * background (202), or answers with the one of that kind already running. Without a keyring there is
 * nothing to rotate or encrypt with: 409.
 */
export class StartEncryptionJob {
  constructor(private readonly runner: EncryptionJobRunner | null) {}

  async execute(kind: EncryptionJobKind): Promise<{ job: EncryptionJob; started: boolean }> {
    if (!this.runner) throw new Conflict('File encryption is off: set ENCRYPTION_KEYS (README "Encryption at rest")', { reason: 'encryption_disabled' });
    return this.runner.start(kind);
  }
}
