import { ListFiles, type ListFilesInput } from '../../../src/application/storage/files/list-files';
import type { Caller } from '../../../src/domain/auth/caller';
import { aCaller } from '../../support/caller-builder';
import { aFile } from '../../support/file-builder';
import { storedFilesWorld } from '../../support/stored-files-world';

const QUOTAS = { user: 1_000, premium: 10_000, admin: null };

function aWorld() {
  const w = storedFilesWorld();
  const listFiles = new ListFiles(w.files, QUOTAS);
  const list = (caller: Caller, extra: Partial<ListFilesInput> = {}) => listFiles.execute({ caller, sort: 'created_at', order: 'asc', page: 1, limit: 20, ...extra });
  return { ...w, list };
}

describe('ListFiles', () => {
  it('lists the caller\'s live files with their metadata and transformations, and their usage against the role\'s quota', async () => {
    const w = aWorld();
    const owner = aCaller().build();
    const first = await w.stored(aFile().ownedBy(owner.userId).sized(200).createdAt(new Date('2024-01-01T00:00:00Z')));
    const second = await w.stored(aFile().ownedBy(owner.userId).sized(50).createdAt(new Date('2024-01-02T00:00:00Z')));
    await w.trashed(aFile().ownedBy(owner.userId).sized(250));
    await w.stored(aFile().sized(999));
    w.files.transformations.set(first.id, [{ id: 't1', type: 'thumbnail_generation', status: 'completed', outputFileId: second.id }]);
    const listing = await w.list(owner);
    expect(listing.files).toEqual([
      { file: first, metadata: [], transformations: [{ id: 't1', type: 'thumbnail_generation', status: 'completed', outputFileId: second.id }] },
      { file: second, metadata: [], transformations: [] },
    ]);
    expect(listing.total).toBe(2);
    // Trash still counts against the quota.
    expect(listing.usage).toEqual({ usedBytes: 500, quotaBytes: 1_000, usagePercent: 50 });
  });

  it('lists the trash on request, and pages with the total of all matching', async () => {
    const w = aWorld();
    const owner = aCaller().withRole('premium').build();
    for (let i = 0; i < 3; i++) await w.trashed(aFile().ownedBy(owner.userId).createdAt(new Date(Date.UTC(2024, 0, 1 + i))));
    await w.stored(aFile().ownedBy(owner.userId));
    const page = await w.list(owner, { trashed: true, limit: 2, page: 2 });
    expect(page.total).toBe(3);
    expect(page.files).toHaveLength(1);
    expect(page.files[0]!.file.deletedAt).not.toBeNull();
    expect(page.usage.quotaBytes).toBe(10_000);
  });

  it('refuses a user another user\'s listing', async () => {
    const w = aWorld();
    const other = await w.stored(aFile());
    await expect(w.list(aCaller().build(), { ownerId: other.userId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('gives an admin another user\'s files, with their usage and no quota (their role is not known here)', async () => {
    const w = aWorld();
    const file = await w.stored(aFile().sized(120));
    const listing = await w.list(aCaller().withRole('admin').build(), { ownerId: file.userId });
    expect(listing.files.map((f) => f.file.id)).toEqual([file.id]);
    expect(listing.usage).toEqual({ usedBytes: 120, quotaBytes: null, usagePercent: 0 });
  });
});
