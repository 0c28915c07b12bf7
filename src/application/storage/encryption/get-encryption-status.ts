import type { ContentCipher } from '../../ports/content-cipher.port';
import type { EncryptionJob, FileEncryptionRepository } from '../../ports/file-encryption-repository.port';

export interface EncryptionStatus {
  enabled: boolean;
  activeKeyId: string | null;
  /** Master keys in the keyring or in use, with the files each wraps; never key material. */
  keys: Array<{ keyId: string; files: number; inKeyring: boolean; active: boolean }>;
  unencryptedFiles: number;
  filesWithMissingKeys: number;
  jobs: { rotate: EncryptionJob | null; encryptExisting: EncryptionJob | null };
}

/** GET /admin/encryption/status: keys by id with their file counts, files still in clear, job progress. */
export class GetEncryptionStatus {
  constructor(
    private readonly repo: FileEncryptionRepository,
    private readonly cipher: ContentCipher | null,
  ) {}

  async execute(): Promise<EncryptionStatus> {
    const [perKey, unencryptedFiles, jobs] = await Promise.all([this.repo.filesPerKey(), this.repo.unencryptedFiles(), this.repo.latestJobs()]);
    const inKeyring = new Set(this.cipher?.keyIds ?? []);
    const ids = [...new Set([...(this.cipher?.keyIds ?? []), ...perKey.map((k) => k.keyId)])];
    const keys = ids.map((keyId) => ({
      keyId,
      files: perKey.find((k) => k.keyId === keyId)?.files ?? 0,
      inKeyring: inKeyring.has(keyId),
      active: keyId === this.cipher?.activeKeyId,
    }));
    return {
      enabled: this.cipher !== null,
      activeKeyId: this.cipher?.activeKeyId ?? null,
      keys,
      unencryptedFiles,
      filesWithMissingKeys: keys.filter((k) => !k.inKeyring).reduce((sum, k) => sum + k.files, 0),
      jobs: { rotate: jobs.find((j) => j.kind === 'rotate') ?? null, encryptExisting: jobs.find((j) => j.kind === 'encrypt_existing') ?? null },
    };
  }
}
