import { randomUUID } from 'node:crypto';
import type { FileListQuery, FileRepository } from '../../src/application/ports/file-repository.port';
import { aFile } from '../support/file-builder';

const DAY = 86_400_000;
const listQuery = (userId: string | null, extra: Partial<FileListQuery> = {}): FileListQuery => ({
  userId,
  sort: 'created_at',
  order: 'desc',
  page: 1,
  limit: 20,
  ...extra,
});

/** What every FileRepository promises, PostgreSQL or the fake. Each test uses fresh user ids. */
export function fileRepositoryContract(name: string, make: () => Promise<FileRepository>): void {
  describe(`${name} (FileRepository contract)`, () => {
    let repo: FileRepository;
    let user: string;
    beforeEach(async () => {
      repo = await make();
      user = randomUUID();
    });

    it('inserts a file with its metadata and reads both back', async () => {
      const file = aFile().ownedBy(user).tagged('a', 'b').build();
      await expect(repo.insertWithinQuota(file, 1_000, [{ type: 'dimensions', data: { width: 2, height: 3 } }])).resolves.toEqual({ inserted: true });
      expect(await repo.findById(file.id)).toEqual(file);
      expect(await repo.metadataOf(file.id)).toEqual([{ type: 'dimensions', data: { width: 2, height: 3 } }]);
      expect(await repo.findByChecksum(user, file.checksumSha256)).toEqual(file);
      expect(await repo.transformationsOf(file.id)).toEqual([]);
    });

    it('keeps an encrypted file\'s wrapped data key and master key id with its row', async () => {
      const file = aFile().ownedBy(user).encryptedWith({ keyId: 'k1', wrappedKey: Buffer.alloc(60, 7).toString('base64') }).build();
      await repo.insertWithinQuota(file, 1_000, []);
      expect((await repo.findById(file.id))!.encryption).toEqual({ keyId: 'k1', wrappedKey: Buffer.alloc(60, 7).toString('base64') });
    });

    it('accepts a file exactly at the quota and refuses one byte over, reporting the bytes used', async () => {
      await repo.insertWithinQuota(aFile().ownedBy(user).sized(600).build(), 1_000, []);
      await expect(repo.insertWithinQuota(aFile().ownedBy(user).sized(401).build(), 1_000, [])).resolves.toEqual({ inserted: false, usedBytes: 600 });
      await expect(repo.insertWithinQuota(aFile().ownedBy(user).sized(400).build(), 1_000, [])).resolves.toEqual({ inserted: true });
      expect(await repo.usedBytes(user)).toBe(1_000);
    });

    it('keeps one row when the same user stores the same content concurrently', async () => {
      const sha = randomUUID().replace(/-/g, '').padEnd(64, '0');
      const outcomes = await Promise.all([1, 2, 3].map(() => repo.insertWithinQuota(aFile().ownedBy(user).withSha256(sha).build(), 1e9, [])));
      expect(outcomes.filter((o) => o.inserted)).toHaveLength(1);
      const winner = await repo.findByChecksum(user, sha);
      expect(outcomes.filter((o) => !o.inserted)).toEqual([{ inserted: false, duplicateOf: winner!.id }, { inserted: false, duplicateOf: winner!.id }]);
    });

    it('enforces the quota across concurrent inserts of one user', async () => {
      const outcomes = await Promise.all([1, 2, 3, 4].map(() => repo.insertWithinQuota(aFile().ownedBy(user).sized(300).build(), 1_000, [])));
      expect(outcomes.filter((o) => o.inserted)).toHaveLength(3);
      expect(await repo.usedBytes(user)).toBe(900);
    });

    it('lists a user\'s live files with filters, search over name and tags, sorting and pages', async () => {
      const project = randomUUID();
      const t0 = Date.now() - 10_000;
      const files = [
        aFile().ownedBy(user).named('Zebra.png').sized(3).createdAt(new Date(t0)).build(),
        aFile().ownedBy(user).named('apple.pdf').ofType('application/pdf').inProject(project).sized(1).createdAt(new Date(t0 + 1_000)).build(),
        aFile().ownedBy(user).named('mango.png').tagged('Holiday').sized(2).createdAt(new Date(t0 + 2_000)).build(),
        aFile().ownedBy(randomUUID()).named('other.png').build(),
      ];
      for (const f of files) await repo.insertWithinQuota(f, 1e9, []);
      const ids = async (q: Partial<FileListQuery>, who: string | null = user) => (await repo.list(listQuery(who, q))).files.map((f) => f.originalName);
      expect(await ids({})).toEqual(['mango.png', 'apple.pdf', 'Zebra.png']);
      expect(await ids({ sort: 'original_name', order: 'asc' })).toEqual(['apple.pdf', 'mango.png', 'Zebra.png']);
      expect(await ids({ sort: 'size_bytes', order: 'asc' })).toEqual(['apple.pdf', 'mango.png', 'Zebra.png']);
      expect(await ids({ projectId: project })).toEqual(['apple.pdf']);
      expect(await ids({ fileType: 'document' })).toEqual(['apple.pdf']);
      expect(await ids({ search: 'holi' })).toEqual(['mango.png']);
      expect(await ids({ search: 'ZEB' })).toEqual(['Zebra.png']);
      expect(await ids({ search: '%' })).toEqual([]);
      const page2 = await repo.list(listQuery(user, { limit: 2, page: 2 }));
      expect({ names: page2.files.map((f) => f.originalName), total: page2.total }).toEqual({ names: ['Zebra.png'], total: 3 });
      expect((await repo.list(listQuery(user, { limit: 2, page: 5 }))).total).toBe(3);
    });

    it('soft-deletes into the trash, restores, and counts trashed bytes in the quota until removed', async () => {
      const file = aFile().ownedBy(user).sized(10).build();
      await repo.insertWithinQuota(file, 1e9, [{ type: 'document', data: { pages: 1 } }]);
      const at = new Date(Math.floor(Date.now() / 1000) * 1000);
      expect((await repo.softDelete(file.id, at))?.deletedAt).toEqual(at);
      expect(await repo.softDelete(file.id, at)).toBeNull();
      expect((await repo.list(listQuery(user))).total).toBe(0);
      expect((await repo.list(listQuery(user, { trashed: true }))).files.map((f) => f.id)).toEqual([file.id]);
      expect(await repo.usedBytes(user)).toBe(10);
      expect((await repo.restore(file.id))?.deletedAt).toBeNull();
      expect(await repo.restore(file.id)).toBeNull();
      await repo.remove(file.id);
      expect(await repo.findById(file.id)).toBeNull();
      expect(await repo.metadataOf(file.id)).toEqual([]);
      expect(await repo.usedBytes(user)).toBe(0);
    });

    it('updates name, visibility, metadata and backup state', async () => {
      const file = aFile().ownedBy(user).build();
      await repo.insertWithinQuota(file, 1e9, []);
      const updated = await repo.update(file.id, {
        originalName: 'new.png',
        isPublic: true,
        metadata: { description: 'd', tags: ['x'] },
        backup: { state: 'failed', provider: 'aws_s3', attempts: 2, lastError: 'down' },
      });
      expect(updated).toMatchObject({ originalName: 'new.png', isPublic: true, metadata: { description: 'd', tags: ['x'] } });
      expect(updated?.backup).toEqual({ state: 'failed', provider: 'aws_s3', attempts: 2, lastError: 'down' });
      expect(await repo.findById(file.id)).toEqual(updated);
      expect(await repo.update(randomUUID(), { isPublic: true })).toBeNull();
    });

    it('finds trash whose 30-day recovery deadline has passed', async () => {
      const old = aFile().ownedBy(user).build();
      const recent = aFile().ownedBy(user).build();
      await repo.insertWithinQuota(old, 1e9, []);
      await repo.insertWithinQuota(recent, 1e9, []);
      const now = Date.now();
      await repo.softDelete(old.id, new Date(now - 31 * DAY));
      await repo.softDelete(recent.id, new Date(now - 29 * DAY));
      const expired = (await repo.expiredTrash(new Date(now), 1_000)).filter((f) => f.userId === user);
      expect(expired.map((f) => f.id)).toEqual([old.id]);
    });

    it('finds files whose backup is pending or failed with attempts left, live or trashed, oldest first', async () => {
      const t0 = Date.now() - 60_000;
      const at = (n: number) => new Date(t0 + n * 1_000);
      const backup = (state: 'none' | 'pending' | 'completed' | 'failed', attempts: number) => ({ state, provider: null, attempts, lastError: null });
      const pending = aFile().ownedBy(user).createdAt(at(1)).build();
      const retryable = aFile().ownedBy(user).createdAt(at(2)).build();
      const trashed = aFile().ownedBy(user).createdAt(at(3)).build();
      const exhausted = aFile().ownedBy(user).createdAt(at(0)).build();
      const done = aFile().ownedBy(user).createdAt(at(0)).build();
      const none = aFile().ownedBy(user).createdAt(at(0)).build();
      pending.backup = backup('pending', 2);
      retryable.backup = backup('failed', 4);
      trashed.backup = backup('pending', 0);
      exhausted.backup = backup('failed', 5);
      done.backup = backup('completed', 1);
      for (const f of [pending, retryable, trashed, exhausted, done, none]) await repo.insertWithinQuota(f, 1e9, []);
      await repo.softDelete(trashed.id, new Date());
      const mine = async (limit: number) => (await repo.backupsToRetry(5, limit)).filter((f) => f.userId === user).map((f) => f.id);
      expect(await mine(10_000)).toEqual([pending.id, retryable.id, trashed.id]);
      await repo.update(pending.id, { backup: { state: 'completed', provider: 'aws_s3', attempts: 3, lastError: null } });
      expect(await mine(10_000)).toEqual([retryable.id, trashed.id]);
    });

    it('answers nothing for unknown or malformed ids', async () => {
      expect(await repo.findById(randomUUID())).toBeNull();
      expect(await repo.findById('not-a-uuid')).toBeNull();
      expect(await repo.softDelete('nope', new Date())).toBeNull();
    });
  });
}
