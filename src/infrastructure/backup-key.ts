import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config';
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
  let key = fs.existsSync(file) ? Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64') : Buffer.alloc(0);
  if (key.length !== 32) {
    fs.rmSync(file, { force: true });
    fs.mkdirSync(config.dataDir, { recursive: true });
    key = randomBytes(32);
    // 'wx' fails if another process created it first; then read theirs.
    try {
      fs.writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch {
      key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    }
  }
  logger.warn({ file }, 'BACKUP_ENCRYPTION_KEY is not set: database backups are encrypted with a generated key kept in this file (keep it, or the backups cannot be read)');
  return key;
}
