import type { RestoreReport } from '../../../domain/database/restore';
import type { BackupRepository } from '../../ports/backup-repository.port';
import type { DatabaseRestorer } from '../../ports/database-restorer.port';
import type { ObjectStore } from '../../ports/object-store.port';

const MANIFEST_PAGE = 500;

export type ManifestComparison = Pick<RestoreReport, 'files_in_manifest' | 'files_restored' | 'files_missing'>;

/**
 * A backup's manifest against a restored database and the object store, page by page: how many of
 * its files have their row in `databaseName`, and how many objects are absent from the store.
 */
export async function compareManifest(
  backups: BackupRepository,
  restorer: DatabaseRestorer,
  files: ObjectStore,
  backupId: string,
  databaseName: string,
): Promise<ManifestComparison> {
  let inManifest = 0;
  let restored = 0;
  let missing = 0;
  for (let offset = 0; ; offset += MANIFEST_PAGE) {
    const page = await backups.manifest(backupId, offset, MANIFEST_PAGE);
    if (page.length === 0) break;
    inManifest += page.length;
    const present = await restorer.existingFileIds(databaseName, page.map((entry) => entry.fileId));
    restored += present.size;
    for (const entry of page) if ((await files.head(entry.key)) === null) missing += 1;
    if (page.length < MANIFEST_PAGE) break;
  }
  return { files_in_manifest: inManifest, files_restored: restored, files_missing: missing };
}
