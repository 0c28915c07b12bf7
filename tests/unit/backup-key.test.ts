import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backupEncryptionKey } from '../../src/infrastructure/backup-key';
import { loadConfig, type Config } from '../../src/infrastructure/config';
import { RecordingLogger } from '../support/recording-logger';

describe('backupEncryptionKey', () => {
  let dataDir: string;
  const configWith = (env: Record<string, string> = {}): Config => loadConfig({ DATA_DIR: dataDir, ...env }, { projectRoot: '/unused', version: 'test' });

  beforeEach(() => {
    dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vb-backup-key-')), 'data');
  });
  afterEach(() => fs.rmSync(path.dirname(dataDir), { recursive: true, force: true }));

  it('uses BACKUP_ENCRYPTION_KEY when set, and writes nothing', () => {
    const key = Buffer.alloc(32, 9);
    expect(backupEncryptionKey(configWith({ BACKUP_ENCRYPTION_KEY: key.toString('base64') }), new RecordingLogger()).equals(key)).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'backup-key'))).toBe(false);
  });

  it('outside production, generates 32 bytes once (owner-only file), keeps them, and warns', () => {
    const logger = new RecordingLogger();
    const first = backupEncryptionKey(configWith(), logger);
    const second = backupEncryptionKey(configWith(), logger);
    expect(first).toHaveLength(32);
    expect(second.equals(first)).toBe(true);
    const file = path.join(dataDir, 'backup-key');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(logger)).toMatch(/BACKUP_ENCRYPTION_KEY is not set/);
  });

  it('replaces a kept key that is not 32 bytes', () => {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'backup-key'), 'c2hvcnQ=\n');
    expect(backupEncryptionKey(configWith(), new RecordingLogger())).toHaveLength(32);
  });
});
