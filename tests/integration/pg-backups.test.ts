import { PgBackupHistory } from '../../src/adapters/postgres/pg-backup-history';
import { PgBackupRepository } from '../../src/adapters/postgres/pg-backup-repository';
import { PgRetainedObjects } from '../../src/adapters/postgres/pg-retained-objects';
import { backupHistoryContract } from '../contract/backup-history.contract';
import { backupRepositoryContract } from '../contract/backup-repository.contract';
import { historyHooks } from '../support/backup-history-world';
import { migratedScratchDatabase } from '../support/migrated-scratch-database';

jest.setTimeout(30_000);

backupRepositoryContract('PgBackupRepository + PgRetainedObjects', async () => {
  const scratch = await migratedScratchDatabase();
  return {
    backups: new PgBackupRepository(scratch.db),
    retained: new PgRetainedObjects(scratch.db),
    seedManifest: async (id, entries) => {
      for (const e of entries) {
        await scratch.db.withClient((c) =>
          c.query('INSERT INTO db_backup_files (backup_id, file_id, file_path, storage_provider, size_bytes, checksum_sha256) VALUES ($1, $2, $3, $4, $5, $6)', [id, e.fileId, e.key, e.storageProvider, e.sizeBytes, e.sha256]),
        );
      }
    },
    close: () => scratch.close(),
  };
});

backupHistoryContract('PgBackupHistory over PgBackupRepository', async () => {
  const scratch = await migratedScratchDatabase();
  const backups = new PgBackupRepository(scratch.db);
  return { history: new PgBackupHistory(backups), ...historyHooks(backups), close: () => scratch.close() };
});
