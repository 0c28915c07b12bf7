import type { Caller } from '../../../domain/auth/caller';
import { canAccess } from '../../../domain/auth/ownership';
import { Forbidden } from '../../../domain/shared/errors';
import type { FileKind, StoredFile } from '../../../domain/storage/stored-file';
import type { ExtractedMetadata, FileListQuery, FileRepository, FileTransformationSummary } from '../../ports/file-repository.port';
import { usageOf, type QuotaByRole, type StorageUsage } from './storage-quota';

export interface ListFilesInput {
  caller: Caller;
  /** Another user's files: admins only. Their usage then has no quota (their role is not known here). */
  ownerId?: string;
  projectId?: string;
  fileType?: FileKind;
  search?: string;
  sort: FileListQuery['sort'];
  order: FileListQuery['order'];
  page: number;
  limit: number;
  trashed?: boolean;
}

export interface FileListing {
  /** transformations: what urls.thumbnail needs (a completed thumbnail). */
  files: Array<{ file: StoredFile; metadata: ExtractedMetadata[]; transformations: FileTransformationSummary[] }>;
  total: number;
  usage: StorageUsage;
}

/** The caller's own files, or (admins) another user's, with the storage usage of whoever owns them. */
export class ListFiles {
  constructor(
    private readonly files: FileRepository,
    private readonly quotas: QuotaByRole,
  ) {}

  async execute(input: ListFilesInput): Promise<FileListing> {
    const { caller, ownerId, ...filters } = input;
    const owner = ownerId ?? caller.userId;
    if (!canAccess(caller, { userId: owner })) throw new Forbidden('Only an admin lists another user\'s files');
    const [page, usedBytes] = await Promise.all([this.files.list({ userId: owner, ...filters }), this.files.usedBytes(owner)]);
    const files = await Promise.all(
      page.files.map(async (file) => {
        const [metadata, transformations] = await Promise.all([this.files.metadataOf(file.id), this.files.transformationsOf(file.id)]);
        return { file, metadata, transformations };
      }),
    );
    const quota = owner === caller.userId ? this.quotas[caller.role] : null;
    return { files, total: page.total, usage: usageOf(usedBytes, quota) };
  }
}
