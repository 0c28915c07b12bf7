import type { DependencyCheck } from '../../domain/health/health-report';
import type { ContentCipher } from '../ports/content-cipher.port';
import type { DependencyProbe } from '../ports/dependency-probe.port';
import type { FileEncryptionRepository } from '../ports/file-encryption-repository.port';

const RECOUNT_MS = 30_000;

/**
 * /health's `encryption` check: off (UP, nothing to check), or on with every encrypted file's master
 * key in the keyring. Files whose key was removed from ENCRYPTION_KEYS cannot be read (503): the check
 * fails with their number, not the key ids. Recounted at most every 30 s (a scan of the encrypted rows).
 */
export class EncryptionProbe implements DependencyProbe {
  readonly name = 'encryption';
  readonly critical = false;
  private counted: { at: number; missing: number } | null = null;

  constructor(
    private readonly repo: FileEncryptionRepository,
    private readonly cipher: ContentCipher | null,
    private readonly now: () => number = Date.now,
  ) {}

  async check(): Promise<DependencyCheck> {
    const started = this.now();
    if (!this.cipher) return { status: 'UP', responseTimeMs: 0, facts: { enabled: false } };
    if (!this.counted || started - this.counted.at > RECOUNT_MS) {
      this.counted = { at: started, missing: await this.repo.filesWithKeyOutside(this.cipher.keyIds) };
    }
    const missing = this.counted.missing;
    const facts = { enabled: true, keys_in_keyring: this.cipher.keyIds.length, files_with_missing_key: missing };
    if (missing === 0) return { status: 'UP', responseTimeMs: this.now() - started, facts };
    return {
      status: 'DOWN',
      responseTimeMs: this.now() - started,
      facts,
      error: `${missing} encrypted file(s) use a master key that is not in ENCRYPTION_KEYS; their reads answer 503 until it is put back`,
    };
  }
}
