import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Config } from './config';
import { keptSecret } from './kept-secret';
import type { Logger } from '../application/ports/logger.port';

/**
 * The key the backup archives are encrypted with. BACKUP_ENCRYPTION_KEY when set (production refuses
 * to start without it); otherwise, in development and tests, 32 random bytes generated once and kept
 * under DATA_DIR (`backup-key`, mode 0600), like the development JWT secret, so archives stay
 * readable across restarts. Archives are therefore always encrypted; losing that file (or the
 * variable) makes them unreadable, which the startup warning says.
 */
export function backupEncryptionKey(config: Config, logger: Logger): Buffer {
  if (config.backups.encryptionKey) return Buffer.from(config.backups.encryptionKey, 'base64');
  if (config.env === 'production') throw new Error('BACKUP_ENCRYPTION_KEY is required in production');
  const file = path.join(config.dataDir, 'backup-key');
  const key = Buffer.from(
    keptSecret(file, () => randomBytes(32).toString('base64'), (value) => Buffer.from(value, 'base64').length === 32),
    'base64',
  );
  logger.warn({ file }, 'BACKUP_ENCRYPTION_KEY is not set: database backups are encrypted with a generated key kept in this file (keep it, or the backups cannot be read)');
  return key;
}
