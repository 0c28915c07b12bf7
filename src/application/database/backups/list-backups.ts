import type { Backup } from '../../../domain/database/backup';
import type { BackupRepository } from '../../ports/backup-repository.port';

export class ListBackups {
  constructor(private readonly backups: BackupRepository) {}

  async execute(input: { page: number; limit: number }): Promise<{ backups: Backup[]; total: number; page: number; limit: number }> {
    const { backups, total } = await this.backups.list(input.page, input.limit);
    return { backups, total, page: input.page, limit: input.limit };
  }
}
