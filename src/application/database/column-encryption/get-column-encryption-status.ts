import type { ColumnCipher } from '../../../domain/crypto/column-cipher';
import type { ColumnUsage, EncryptedColumnStore } from '../../ports/encrypted-column-store.port';
import type { ColumnEncryptionJob, ColumnJobProgress } from './column-encryption-job';

export interface ColumnEncryptionStatus {
  activeKeyId: string;
  keyIds: string[];
  blindIndexKeyId: string;
  columns: Array<ColumnUsage & { blindIndex: string | null }>;
  job: ColumnJobProgress;
}

/** GET /api/v1/admin/encryption/columns: which keys the stored values use, what is left to do, the pass's progress. */
export class GetColumnEncryptionStatus {
  constructor(
    private readonly job: ColumnEncryptionJob,
    private readonly store: EncryptedColumnStore,
    private readonly cipher: ColumnCipher,
  ) {}

  async execute(): Promise<ColumnEncryptionStatus> {
    const columns: ColumnEncryptionStatus['columns'] = [];
    for (const set of await this.job.columnSets()) {
      const usage = await this.store.usage(set, this.job.current);
      for (const entry of usage) columns.push({ ...entry, blindIndex: set.columns.find((c) => c.column === entry.column)?.blindIndex ?? null });
    }
    return { activeKeyId: this.cipher.activeKeyId, keyIds: this.cipher.keyIds, blindIndexKeyId: this.cipher.blindIndexKeyId, columns, job: this.job.status() };
  }
}
