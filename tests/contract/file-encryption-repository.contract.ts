import { randomUUID } from 'node:crypto';
import type { FileEncryptionRepository } from '../../src/application/ports/file-encryption-repository.port';
import type { StoredFile } from '../../src/domain/storage/stored-file';
import { aFile } from '../support/file-builder';

export interface FileEncryptionRepositoryUnderTest {
  repo: FileEncryptionRepository;
  /** Inserts a file row as an upload would. */
  insert(file: StoredFile): Promise<void>;
  /** The row's file_path and encryption as stored. */
  read(id: string): Promise<Pick<StoredFile, 'filePath' | 'encryption'> | null>;
  close(): Promise<void>;
}

const wrapped = (tag: string) => Buffer.alloc(60, tag).toString('base64');

/**
 * What the encryption jobs and the status rely on: counts per key, walks in id order, compare-and-set
 * updates that leave a changed row alone, and one running job per kind. Each run gets an empty table.
 */
export function fileEncryptionRepositoryContract(name: string, make: () => Promise<FileEncryptionRepositoryUnderTest>): void {
  describe(`${name} (FileEncryptionRepository contract)`, () => {
    let s: FileEncryptionRepositoryUnderTest;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(() => s.close());

    it('counts files per key, in clear, and under keys outside a keyring; walks them in id order', async () => {
      const a = aFile().encryptedWith({ keyId: 'a', wrappedKey: wrapped('1') }).build();
      const b1 = aFile().encryptedWith({ keyId: 'b', wrappedKey: wrapped('2') }).build();
      const b2 = aFile().encryptedWith({ keyId: 'b', wrappedKey: wrapped('3') }).build();
      const clear = aFile().build();
      for (const f of [a, b1, b2, clear]) await s.insert(f);
      expect(await s.repo.filesPerKey()).toEqual([{ keyId: 'a', files: 1 }, { keyId: 'b', files: 2 }]);
      expect(await s.repo.unencryptedFiles()).toBe(1);
      expect(await s.repo.filesWithKeyOutside(['a'])).toBe(2);
      expect(await s.repo.filesWithKeyOutside(['a', 'b'])).toBe(0);
      const underB = [b1.id, b2.id].sort();
      const first = await s.repo.wrappedUnder('a', null, 1);
      expect(first.map((f) => f.id)).toEqual([underB[0]]);
      expect((await s.repo.wrappedUnder('a', first[0]!.id, 10)).map((f) => f.id)).toEqual([underB[1]]);
      expect((await s.repo.unencrypted(null, 10)).map((f) => f.id)).toEqual([clear.id]);
    });

    it('rewrap and swap are compare-and-set: a row that changed meanwhile is left alone', async () => {
      const from = { keyId: 'a', wrappedKey: wrapped('1') };
      const file = aFile().encryptedWith(from).build();
      await s.insert(file);
      const to = { keyId: 'b', wrappedKey: wrapped('9') };
      expect(await s.repo.rewrap(file.id, from, to)).toBe(true);
      expect(await s.repo.rewrap(file.id, from, { keyId: 'c', wrappedKey: wrapped('8') })).toBe(false);
      expect((await s.read(file.id))!.encryption).toEqual(to);

      const clear = aFile().build();
      await s.insert(clear);
      expect(await s.repo.swapToEncrypted(clear.id, 'elsewhere', `${clear.filePath}.vbse`, to)).toBe(false);
      expect(await s.repo.swapToEncrypted(clear.id, clear.filePath, `${clear.filePath}.vbse`, to)).toBe(true);
      expect(await s.read(clear.id)).toEqual({ filePath: `${clear.filePath}.vbse`, encryption: to });
      expect(await s.repo.swapToEncrypted(clear.id, `${clear.filePath}.vbse`, 'again', to)).toBe(false);
      expect(await s.repo.swapToEncrypted(randomUUID(), 'x', 'y', to)).toBe(false);
    });

    it('one running job per kind; progress and the end are recorded; the latest of each kind is listed', async () => {
      const job = await s.repo.startJob('rotate', 'k2', 5);
      expect(job).toMatchObject({ kind: 'rotate', status: 'running', targetKeyId: 'k2', totalFiles: 5, doneFiles: 0, finishedAt: null });
      expect(await s.repo.startJob('rotate', 'k2', 5)).toBeNull();
      const other = await s.repo.startJob('encrypt_existing', 'k2', 1);
      expect(other).not.toBeNull();
      expect((await s.repo.runningJobs()).map((j) => j.kind).sort()).toEqual(['encrypt_existing', 'rotate']);
      await s.repo.updateJob(job!.id, { doneFiles: 3, failedFiles: 1, lastError: 'x' });
      await s.repo.updateJob(job!.id, { status: 'completed' });
      const done = await s.repo.findJob(job!.id);
      expect(done).toMatchObject({ status: 'completed', doneFiles: 3, failedFiles: 1, lastError: 'x', finishedAt: expect.any(Date) });
      expect((await s.repo.runningJobs()).map((j) => j.kind)).toEqual(['encrypt_existing']);
      expect(await s.repo.startJob('rotate', 'k3', 0)).not.toBeNull();
      expect((await s.repo.latestJobs()).find((j) => j.kind === 'rotate')).toMatchObject({ targetKeyId: 'k3', status: 'running' });
    });
  });
}
