import type { BackupState, FileKind, StoredFile } from '../../domain/storage/stored-file';

/** Timestamps converted from the table's UTC wall-clock TIMESTAMPs to instants. */
export const FILE_COLUMNS = `id::text AS id, user_id::text AS user_id, project_id::text AS project_id, original_name, file_path, file_type,
  mime_type, size_bytes::text AS size_bytes, checksum_md5, checksum_sha256, storage_provider, storage_tier, is_public, metadata,
  backup_status, backup_provider, backup_attempts, backup_error, encryption_key_id, encryption_wrapped_key,
  created_at AT TIME ZONE 'UTC' AS created_at, updated_at AT TIME ZONE 'UTC' AS updated_at, deleted_at AT TIME ZONE 'UTC' AS deleted_at`;

export interface FileRow {
  id: string;
  user_id: string;
  project_id: string | null;
  original_name: string;
  file_path: string;
  file_type: string;
  mime_type: string;
  size_bytes: string;
  checksum_md5: string;
  checksum_sha256: string;
  storage_provider: string | null;
  storage_tier: string | null;
  is_public: boolean | null;
  metadata: Record<string, unknown> | null;
  backup_status: string;
  backup_provider: string | null;
  backup_attempts: number;
  backup_error: string | null;
  encryption_key_id: string | null;
  encryption_wrapped_key: string | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

export function fileOf(row: FileRow): StoredFile {
  return {
    id: row.id,
    userId: row.user_id,
    projectId: row.project_id,
    originalName: row.original_name,
    filePath: row.file_path,
    fileType: row.file_type as FileKind,
    mimeType: row.mime_type,
    sizeBytes: Number(row.size_bytes),
    checksumMd5: row.checksum_md5,
    checksumSha256: row.checksum_sha256,
    storageProvider: row.storage_provider ?? 'local_disk',
    storageTier: row.storage_tier ?? 'hot',
    isPublic: row.is_public ?? false,
    metadata: row.metadata ?? {},
    backup: { state: row.backup_status as BackupState, provider: row.backup_provider, attempts: row.backup_attempts, lastError: row.backup_error },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
    // Absent for a file stored in clear, as StoredFile says.
    ...(row.encryption_key_id && row.encryption_wrapped_key ? { encryption: { keyId: row.encryption_key_id, wrappedKey: row.encryption_wrapped_key } } : {}),
  };
}
