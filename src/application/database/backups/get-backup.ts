import type { Backup } from '../../../domain/database/backup';
import { BackupNotFound } from '../../../domain/database/backup-errors';
import type { BackupRepository } from '../../ports/backup-repository.port';

export class GetBackup {
  constructor(private readonly backups: BackupRepository) {}

  async execute(id: string): Promise<Backup> {
    const backup = await this.backups.findById(id);
    if (!backup) throw new BackupNotFound(id);
    return backup;
  }
}
