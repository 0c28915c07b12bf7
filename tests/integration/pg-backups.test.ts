import { randomUUID } from 'node:crypto';
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
    reviveFile: async (key) => {
      const user = randomUUID();
      await scratch.db.withClient(async (c) => {
        await c.query(`INSERT INTO users (id, email, password_hash) VALUES ($1, $2, 'x')`, [user, `${user}@example.com`]);
        await c.query(
          `INSERT INTO files (user_id, original_name, file_path, file_type, mime_type, size_bytes, checksum_md5, checksum_sha256)
           VALUES ($1, 'a.txt', $2, 'document', 'text/plain', 3, $3, $4)`,
          [user, key, '0'.repeat(32), '0'.repeat(64)],
        );
      });
    },
    close: () => scratch.close(),
  };
});

backupHistoryContract('PgBackupHistory over PgBackupRepository', async () => {
  const scratch = await migratedScratchDatabase();
  const backups = new PgBackupRepository(scratch.db);
  return { history: new PgBackupHistory(backups), ...historyHooks(backups), close: () => scratch.close() };
});
