import type { NewAuditEntry } from '../../domain/audit/audit-entry';
import type { FileKind, StoredFile } from '../../domain/storage/stored-file';

export interface FileListQuery {
  /** null: every user's files (admin). */
  userId: string | null;
  projectId?: string;
  fileType?: FileKind;
  /** Matched against the original name and the tags. */
  search?: string;
  sort: 'created_at' | 'original_name' | 'size_bytes' | 'updated_at';
  order: 'asc' | 'desc';
  page: number;
  limit: number;
  /** List the trash instead of live files. */
  trashed?: boolean;
}

/** One kind of extracted metadata (file_metadata rows): dimensions, exif, media, document. */
export interface ExtractedMetadata {
  type: string;
  data: Record<string, unknown>;
}

/** A row of file_transformations whose source is the file (written by the transformation issue). */
export interface FileTransformationSummary {
  id: string;
  type: string;
  status: string;
  outputFileId: string | null;
}

export type InsertOutcome = { inserted: true } | { inserted: false; usedBytes: number } | { inserted: false; duplicateOf: string };

/**
 * The `files` table (and its `file_metadata`). Quota is enforced at insert: `insertWithinQuota`
 * counts the user's stored bytes (trash included, until purged) and inserts only if the new file fits,
 * atomically with respect to the same user's concurrent inserts. The same check refuses content the
 * user already stores (same sha256, live or trashed), so two concurrent identical uploads keep one row.
 *
 * The changing methods take the `audit` entries recording the change: written in the same transaction
 * as the change, and only when it happens (a refused insert, or no row matched, writes none).
 */
export interface FileRepository {
  insertWithinQuota(file: StoredFile, quotaBytes: number, metadata: ExtractedMetadata[], audit?: readonly NewAuditEntry[]): Promise<InsertOutcome>;
  findById(id: string): Promise<StoredFile | null>;
  /** A live or trashed file of this user with the same content. */
  findByChecksum(userId: string, checksumSha256: string): Promise<StoredFile | null>;
  list(query: FileListQuery): Promise<{ files: StoredFile[]; total: number }>;
  metadataOf(fileId: string): Promise<ExtractedMetadata[]>;
  transformationsOf(fileId: string): Promise<FileTransformationSummary[]>;
  update(id: string, patch: Partial<Pick<StoredFile, 'originalName' | 'isPublic' | 'metadata' | 'backup'>>, audit?: readonly NewAuditEntry[]): Promise<StoredFile | null>;
  softDelete(id: string, at: Date, audit?: readonly NewAuditEntry[]): Promise<StoredFile | null>;
  restore(id: string, audit?: readonly NewAuditEntry[]): Promise<StoredFile | null>;
  /** Removes the row (and its metadata rows); the caller removes the objects. */
  remove(id: string, audit?: readonly NewAuditEntry[]): Promise<void>;
  usedBytes(userId: string): Promise<number>;
  /** Trashed files whose recovery deadline has passed. */
  expiredTrash(before: Date, limit: number): Promise<StoredFile[]>;
  /**
   * Files (live or trashed: trash can be restored) whose backup copy is pending, or failed after fewer
   * than `maxAttempts` attempts: what a restart left unfinished. Oldest first.
   */
  backupsToRetry(maxAttempts: number, limit: number): Promise<StoredFile[]>;
}
