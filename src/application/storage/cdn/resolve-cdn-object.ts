import { contentVersion } from '../../../domain/storage/cdn';
import { FileNotFound, InvalidSignature } from '../../../domain/storage/errors';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { FileRepository } from '../../ports/file-repository.port';
import type { CdnTargets } from './cdn-targets';
import type { CdnUrls } from './cdn-urls';

export interface CdnAccess {
  /** The request's path (what was signed) and its signature parameters, when present. */
  path: string;
  expires?: number;
  signature?: string;
}

/** What the origin serves for a /cdn/ path, and whether a shared cache may keep it. */
export interface CdnObject {
  file: StoredFile;
  /** null: public. Otherwise the signed URL's expiry: the answer is private and lives no longer. */
  privateUntil: Date | null;
}

/**
 * The origin side of the CDN URLs: /cdn/files/{id}/{version} (content-addressed: a version that is not
 * the file's content is a 404) and /cdn/thumbnails/{id} (the newest thumbnail). Public files need
 * nothing; private ones need the signature of their URL. Trashed or unknown files are 404.
 */
export class ResolveCdnObject {
  constructor(
    private readonly files: FileRepository,
    private readonly urls: CdnUrls,
    private readonly targets: CdnTargets,
  ) {}

  async file(fileId: string, version: string, access: CdnAccess): Promise<CdnObject> {
    const file = await this.live(fileId);
    if (contentVersion(file) !== version) throw new FileNotFound('File not found', { file_id: fileId });
    return { file, privateUntil: this.checkAccess(file, access) };
  }

  /** The live file behind a /cdn/render/{id} path: public, or private with the path's valid signature. */
  async renderable(fileId: string, access: CdnAccess): Promise<CdnObject> {
    const file = await this.live(fileId);
    return { file, privateUntil: this.checkAccess(file, access) };
  }

  async thumbnail(sourceId: string, access: CdnAccess): Promise<CdnObject> {
    const source = await this.live(sourceId);
    const privateUntil = this.checkAccess(source, access);
    const thumbnail = await this.targets.thumbnailOf(source);
    if (!thumbnail) throw new FileNotFound('This file has no thumbnail yet', { file_id: sourceId });
    return { file: thumbnail, privateUntil };
  }

  private async live(fileId: string): Promise<StoredFile> {
    const file = await this.files.findById(fileId);
    if (!file || file.deletedAt) throw new FileNotFound('File not found', { file_id: fileId });
    return file;
  }

  private checkAccess(file: StoredFile, access: CdnAccess): Date | null {
    if (file.isPublic) return null;
    if (access.expires === undefined || !access.signature) throw new InvalidSignature('This file is private: its CDN URL must be signed', { reason: 'missing_signature' });
    this.urls.verify(access.path, access.expires, access.signature);
    return new Date(access.expires * 1000);
  }
}
