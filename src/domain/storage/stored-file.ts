/** The kinds 002 groups files into (file_type), from the sniffed MIME type. */
export type FileKind = 'image' | 'video' | 'audio' | 'document' | 'other';

export type BackupState = 'none' | 'pending' | 'completed' | 'failed';

/** A file's row in `files`, as the application sees it. */
export interface StoredFile {
  id: string;
  userId: string;
  projectId: string | null;
  originalName: string;
  /** Object key at the provider: users/{user}/projects/{project}/{name}_{id}.{ext}. */
  filePath: string;
  fileType: FileKind;
  mimeType: string;
  sizeBytes: number;
  checksumMd5: string;
  checksumSha256: string;
  /** Which ObjectStore holds the bytes: local_disk, azure_blob, aws_s3. */
  storageProvider: string;
  storageTier: string;
  isPublic: boolean;
  /** description, tags, custom_fields, as sent; extracted metadata lives in file_metadata. */
  metadata: Record<string, unknown>;
  backup: { state: BackupState; provider: string | null; attempts: number; lastError: string | null };
  createdAt: Date;
  updatedAt: Date;
  /** Set while the file is in the trash. */
  deletedAt: Date | null;
  /** Present when the object is stored encrypted (segmented AEAD under a wrapped data key); absent (or null): stored in clear. */
  encryption?: FileEncryption | null;
}

/** The file's data key as stored with its row: wrapped by master key `keyId`, never in clear. */
export interface FileEncryption {
  /** The master key's id in ENCRYPTION_KEYS (files.encryption_key_id). */
  keyId: string;
  /** base64 of nonce | wrapped key | tag (files.encryption_wrapped_key). */
  wrappedKey: string;
}

export const TRASH_RETENTION_DAYS = 30;

export function recoveryDeadline(file: Pick<StoredFile, 'deletedAt'>): Date | null {
  return file.deletedAt ? new Date(file.deletedAt.getTime() + TRASH_RETENTION_DAYS * 86_400_000) : null;
}

export function kindOf(mimeType: string): FileKind {
  if (mimeType.startsWith('image/')) return 'image';
  if (mimeType.startsWith('video/')) return 'video';
  if (mimeType.startsWith('audio/')) return 'audio';
  if (
    mimeType === 'application/pdf' ||
    mimeType.startsWith('text/') ||
    mimeType === 'application/rtf' ||
    mimeType === 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
  ) {
    return 'document';
  }
  return 'other';
}
