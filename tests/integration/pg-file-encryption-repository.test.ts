import { createHash } from 'node:crypto';
import { SegmentedAesGcmCipher } from '../../src/adapters/crypto/segmented-aes-gcm-cipher';
import { PgFileEncryptionRepository } from '../../src/adapters/postgres/pg-file-encryption-repository';
import { PgFileRepository } from '../../src/adapters/postgres/pg-file-repository';
import { EncryptionProbe } from '../../src/application/health/encryption-probe';
import { Keyring } from '../../src/domain/crypto/keyring';
import { dependencyProbeContract } from '../contract/dependency-probe.contract';
import { fileEncryptionRepositoryContract } from '../contract/file-encryption-repository.contract';
import { aFile } from '../support/file-builder';
import { migratedScratchDatabase } from '../support/migrated-scratch-database';

fileEncryptionRepositoryContract('PgFileEncryptionRepository', async () => {
  const scratch = await migratedScratchDatabase();
  const files = new PgFileRepository(scratch.db);
  return {
    repo: new PgFileEncryptionRepository(scratch.db),
    insert: async (file) => {
      await files.insertWithinQuota(file, Number.MAX_SAFE_INTEGER, []);
    },
    read: async (id) => {
      const file = await files.findById(id);
      return file ? { filePath: file.filePath, encryption: file.encryption ?? null } : null;
    },
    close: () => scratch.close(),
  };
});

const keyring = Keyring.parse(`k1:${createHash('sha256').update('probe').digest('base64')}`);

dependencyProbeContract('EncryptionProbe over PostgreSQL (its dependency: every encrypted file’s key in the keyring)', async () => {
  const scratch = await migratedScratchDatabase();
  const cipher = new SegmentedAesGcmCipher(keyring);
  await new PgFileRepository(scratch.db).insertWithinQuota(aFile().encryptedWith(cipher.newDataKey()).build(), Number.MAX_SAFE_INTEGER, []);
  return {
    probe: new EncryptionProbe(new PgFileEncryptionRepository(scratch.db), cipher),
    // A master key removed from the keyring while files still use it.
    breakDependency: async () => {
      await new PgFileRepository(scratch.db).insertWithinQuota(aFile().encryptedWith({ keyId: 'gone', wrappedKey: Buffer.alloc(60).toString('base64') }).build(), Number.MAX_SAFE_INTEGER, []);
    },
    close: () => scratch.close(),
  };
}, 5_000);
