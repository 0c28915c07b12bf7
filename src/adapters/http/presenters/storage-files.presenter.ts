import type { ExtractedMetadata } from '../../../application/ports/file-repository.port';
import type { StorageUsage } from '../../../application/storage/storage-quota';
import { recoveryDeadline, type StoredFile } from '../../../domain/storage/stored-file';

/** Builds the URLs a file answers with; cdn and thumbnail wait for the CDN issue. */
export interface FileUrls {
  download: string;
  cdn: string | null;
  thumbnail: string | null;
}

export function urlsFor(publicBaseUrl: string, file: StoredFile): FileUrls {
  return { download: `${publicBaseUrl}/api/v1/storage/download/${file.id}`, cdn: null, thumbnail: null };
}

export function presentFile(file: StoredFile) {
  const deadline = recoveryDeadline(file);
  return {
    id: file.id,
    user_id: file.userId,
    project_id: file.projectId,
    original_name: file.originalName,
    file_path: file.filePath,
    file_type: file.fileType,
    mime_type: file.mimeType,
    size_bytes: file.sizeBytes,
    checksum_md5: file.checksumMd5,
    checksum_sha256: file.checksumSha256,
    storage_provider: file.storageProvider,
    storage_tier: file.storageTier,
    is_public: file.isPublic,
    metadata: file.metadata,
    backup: { status: file.backup.state, provider: file.backup.provider, attempts: file.backup.attempts, error: file.backup.lastError },
    created_at: file.createdAt.toISOString(),
    updated_at: file.updatedAt.toISOString(),
    deleted_at: file.deletedAt?.toISOString() ?? null,
    recovery_deadline: deadline?.toISOString() ?? null,
  };
}

/** file_metadata rows grouped by kind, as 002 shows them: { dimensions: {...}, exif: {...} }. */
export function groupMetadata(rows: ExtractedMetadata[]): Record<string, Record<string, unknown>> {
  const grouped: Record<string, Record<string, unknown>> = {};
  for (const row of rows) grouped[row.type] = { ...grouped[row.type], ...row.data };
  return grouped;
}

export function presentUsage(usage: StorageUsage) {
  return { used_bytes: usage.usedBytes, quota_bytes: usage.quotaBytes, usage_percent: usage.usagePercent };
}
