import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { isActive, type Backup } from '../../../domain/database/backup';
import { BackupCorrupt, BackupInProgress, BackupNotFound } from '../../../domain/database/backup-errors';
import type { ArchiveCipher } from '../../ports/archive-cipher.port';
import type { BackupRepository } from '../../ports/backup-repository.port';
import type { ObjectStore } from '../../ports/object-store.port';

/**
 * A completed backup's archive as pg_dump wrote it: read from the store, decrypted and checked as it
 * flows. The stream fails with BackupCorrupt (never ends cleanly) when a chunk fails authentication,
 * the object is truncated, or the size or sha256 differ from those recorded; the check on the whole
 * can only come at the end, so a consumer that must not act on a corrupt archive (a restore) reads it
 * through once first, or acts only after the stream ended without error.
 */
export class OpenBackupArchive {
  constructor(
    private readonly backups: BackupRepository,
    private readonly store: ObjectStore,
    private readonly cipher: ArchiveCipher,
  ) {}

  async execute(id: string): Promise<{ backup: Backup; archive: Readable }> {
    const backup = await this.backups.findById(id);
    if (!backup) throw new BackupNotFound(id);
    if (isActive(backup)) throw new BackupInProgress({ backup_id: id });
    if (backup.status !== 'completed' || backup.sha256 === null || backup.sizeBytes === null) {
      throw new BackupNotFound(id, 'has no archive (it failed)');
    }
    const source = await this.store.get(backup.storage.key);
    const decrypt = this.cipher.decrypt();
    const verify = verifier(backup.id, backup.sha256, backup.sizeBytes);
    source.on('error', (error) => verify.destroy(error));
    decrypt.on('error', (error) => {
      source.destroy();
      verify.destroy(new BackupCorrupt(id, error.message));
    });
    // A consumer that stops early (a client gone) stops the read from the provider too.
    verify.on('close', () => {
      source.destroy();
      decrypt.destroy();
    });
    source.pipe(decrypt).pipe(verify);
    return { backup, archive: verify };
  }
}

function verifier(id: string, sha256: string, sizeBytes: number): Transform {
  const hash = createHash('sha256');
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      if (size !== sizeBytes) return done(new BackupCorrupt(id, `${size} bytes where ${sizeBytes} were recorded`));
      const actual = hash.digest('hex');
      if (actual !== sha256) return done(new BackupCorrupt(id, `sha256 ${actual} differs from the recorded ${sha256}`));
      done();
    },
  });
}
