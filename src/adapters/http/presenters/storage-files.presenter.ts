import type { CdnUrls } from '../../../application/storage/cdn/cdn-urls';
import type { ExtractedMetadata } from '../../../application/ports/file-repository.port';
import type { StorageUsage } from '../../../application/storage/files/storage-quota';
import { recoveryDeadline, type StoredFile } from '../../../domain/storage/stored-file';

/** The URLs a file answers with (002): the service's download route and the CDN's URLs. */
export interface FileUrls {
  download: string;
  cdn: string | null;
  thumbnail: string | null;
  /** A larger rendition (the `preview` preset) of images, videos and PDFs; null for other files. */
  preview: string | null;
}

/** What urlsFor needs: the service's own origin and the CDN URL builder. */
export interface FileLinks {
  publicBaseUrl: string;
  cdn: CdnUrls;
  /** The /cdn/render query strings of urls.thumbnail and urls.preview (issue 15); null: none. */
  renditions?: { thumbnail: string | null; preview: string | null };
}

/** Files /render draws: raster images, videos and PDFs. */
function renderable(mimeType: string): boolean {
  return (mimeType.startsWith('image/') && mimeType !== 'image/svg+xml') || mimeType.startsWith('video/') || mimeType === 'application/pdf';
}

/**
 * `thumbnail` and `preview` of an image, video or PDF are renditions (/cdn/render, a preset), there at
 * once; other files get `thumbnail` only once a thumbnail exists (a completed thumbnail_generation):
 * never a URL that answers 404.
 */
export function urlsFor(links: FileLinks, file: StoredFile, hasThumbnail = false): FileUrls {
  const live = file.deletedAt === null;
  const rendered = live && renderable(file.mimeType) ? links.renditions : undefined;
  return {
    download: `${links.publicBaseUrl}/api/v1/storage/download/${file.id}`,
    cdn: live ? links.cdn.fileUrl(file) : null,
    thumbnail: rendered?.thumbnail ? links.cdn.renditionUrl(file, rendered.thumbnail) : live && hasThumbnail ? links.cdn.thumbnailUrl(file) : null,
    preview: rendered?.preview ? links.cdn.renditionUrl(file, rendered.preview) : null,
  };
}

export function hasCompletedThumbnail(transformations: Array<{ type: string; status: string; outputFileId: string | null }>): boolean {
  return transformations.some((t) => t.type === 'thumbnail_generation' && t.status === 'completed' && t.outputFileId !== null);
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
