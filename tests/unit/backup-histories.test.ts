import { InMemoryBackups } from '../../src/adapters/in-memory/fakes/in-memory-backups';
import { NoBackupHistory } from '../../src/adapters/in-memory/fallbacks/no-backup-history';
import { PgBackupHistory } from '../../src/adapters/postgres/pg-backup-history';
import { backupHistoryContract } from '../contract/backup-history.contract';
import { historyHooks } from '../support/backup-history-world';

backupHistoryContract('NoBackupHistory', async () => ({ history: new NoBackupHistory() }));
backupHistoryContract('PgBackupHistory over InMemoryBackups', async () => {
  const backups = new InMemoryBackups();
  return { history: new PgBackupHistory(backups), ...historyHooks(backups) };
});
