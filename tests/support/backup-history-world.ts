import type { BackupRepository } from '../../src/application/ports/backup-repository.port';
import { aNewBackup } from '../contract/backup-repository.contract';

/** complete/fail hooks of the BackupHistory contract, over any BackupRepository. */
export function historyHooks(backups: BackupRepository) {
  return {
    async complete(at: Date, kind: 'manual' | 'scheduled', sizeBytes: number): Promise<string> {
      const b = aNewBackup({ kind, startedAt: at });
      await backups.create(b);
      await backups.markRunning(b.id, b.progress);
      await backups.complete(b.id, { completedAt: at, sizeBytes, sha256: 'f'.repeat(64), serverVersion: '15', migrationVersion: null, filesInManifest: null, expiresAt: null }, b.progress);
      return b.id;
    },
    async fail(): Promise<void> {
      const b = aNewBackup();
      await backups.create(b);
      await backups.fail(b.id, 'boom', b.progress);
    },
  };
}
