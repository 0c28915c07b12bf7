import type {
  ExtractedMetadata,
  FileListQuery,
  FileRepository,
  FileTransformationSummary,
  InsertOutcome,
} from '../../../application/ports/file-repository.port';
import { recoveryDeadline, type StoredFile } from '../../../domain/storage/stored-file';

/**
 * The files table in memory. Each call runs to completion before another starts (no await inside),
 * which gives insertWithinQuota the same atomicity as PostgreSQL's per-user advisory lock.
 */
export class InMemoryFileRepository implements FileRepository {
  private readonly files = new Map<string, StoredFile>();
  private readonly metadata = new Map<string, ExtractedMetadata[]>();
  readonly transformations = new Map<string, FileTransformationSummary[]>();

  async insertWithinQuota(file: StoredFile, quotaBytes: number, metadata: ExtractedMetadata[]): Promise<InsertOutcome> {
    const duplicate = [...this.files.values()].find((f) => f.userId === file.userId && f.checksumSha256 === file.checksumSha256);
    if (duplicate) return { inserted: false, duplicateOf: duplicate.id };
    const usedBytes = this.used(file.userId);
    if (usedBytes + file.sizeBytes > quotaBytes) return { inserted: false, usedBytes };
    this.files.set(file.id, clone(file));
    this.metadata.set(file.id, metadata.map((m) => ({ type: m.type, data: structuredClone(m.data) })));
    return { inserted: true };
  }

  async findById(id: string): Promise<StoredFile | null> {
    const file = this.files.get(id);
    return file ? clone(file) : null;
  }

  async findByChecksum(userId: string, checksumSha256: string): Promise<StoredFile | null> {
    const file = [...this.files.values()].find((f) => f.userId === userId && f.checksumSha256 === checksumSha256);
    return file ? clone(file) : null;
  }

  async list(query: FileListQuery): Promise<{ files: StoredFile[]; total: number }> {
    const search = query.search?.toLowerCase();
    const matching = [...this.files.values()].filter(
      (f) =>
        (query.userId === null || f.userId === query.userId) &&
        (query.trashed ? f.deletedAt !== null : f.deletedAt === null) &&
        (query.projectId === undefined || f.projectId === query.projectId) &&
        (query.fileType === undefined || f.fileType === query.fileType) &&
        (search === undefined || f.originalName.toLowerCase().includes(search) || tagsOf(f).some((t) => t.toLowerCase().includes(search))),
    );
    const key = SORT_KEYS[query.sort];
    const direction = query.order === 'asc' ? 1 : -1;
    matching.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      return (x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : 1) * direction;
    });
    const start = (query.page - 1) * query.limit;
    return { files: matching.slice(start, start + query.limit).map(clone), total: matching.length };
  }

  async metadataOf(fileId: string): Promise<ExtractedMetadata[]> {
    return structuredClone(this.metadata.get(fileId) ?? []);
  }

  async transformationsOf(fileId: string): Promise<FileTransformationSummary[]> {
    return [...(this.transformations.get(fileId) ?? [])];
  }

  async update(id: string, patch: Partial<Pick<StoredFile, 'originalName' | 'isPublic' | 'metadata' | 'backup'>>): Promise<StoredFile | null> {
    const file = this.files.get(id);
    if (!file) return null;
    const updated = { ...file, ...structuredClone(patch), updatedAt: new Date() };
    this.files.set(id, updated);
    return clone(updated);
  }

  async softDelete(id: string, at: Date): Promise<StoredFile | null> {
    const file = this.files.get(id);
    if (!file || file.deletedAt) return null;
    file.deletedAt = new Date(at);
    return clone(file);
  }

  async restore(id: string): Promise<StoredFile | null> {
    const file = this.files.get(id);
    if (!file || !file.deletedAt) return null;
    file.deletedAt = null;
    return clone(file);
  }

  async remove(id: string): Promise<void> {
    this.files.delete(id);
    this.metadata.delete(id);
    this.transformations.delete(id);
  }

  async usedBytes(userId: string): Promise<number> {
    return this.used(userId);
  }

  async expiredTrash(before: Date, limit: number): Promise<StoredFile[]> {
    return [...this.files.values()]
      .filter((f) => f.deletedAt !== null && recoveryDeadline(f)!.getTime() < before.getTime())
      .sort((a, b) => a.deletedAt!.getTime() - b.deletedAt!.getTime())
      .slice(0, limit)
      .map(clone);
  }

  async backupsToRetry(maxAttempts: number, limit: number): Promise<StoredFile[]> {
    return [...this.files.values()]
      .filter((f) => f.backup.state === 'pending' || (f.backup.state === 'failed' && f.backup.attempts < maxAttempts))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))
      .slice(0, limit)
      .map(clone);
  }

  private used(userId: string): number {
    let total = 0;
    for (const f of this.files.values()) if (f.userId === userId) total += f.sizeBytes;
    return total;
  }
}

const SORT_KEYS: Record<FileListQuery['sort'], (f: StoredFile) => string | number> = {
  created_at: (f) => f.createdAt.getTime(),
  updated_at: (f) => f.updatedAt.getTime(),
  original_name: (f) => f.originalName.toLowerCase(),
  size_bytes: (f) => f.sizeBytes,
};

function tagsOf(file: StoredFile): string[] {
  const tags = file.metadata.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

function clone(file: StoredFile): StoredFile {
  return structuredClone(file);
}
