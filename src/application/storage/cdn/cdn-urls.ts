import { fileCdnPath, thumbnailCdnPath } from '../../../domain/storage/cdn';
import { renditionCdnPath } from '../../../domain/storage/rendition';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { Clock } from '../../ports/clock.port';
import type { DownloadSignature } from '../delivery/download-signature';

export interface CdnUrlOptions {
  /** Public base of the CDN (or of the service when none is configured). */
  baseUrl: string;
  /** Lifetime of a private file's signed CDN URL. */
  signedTtlSeconds: number;
}

/**
 * urls.cdn and urls.thumbnail. A public file's URL is bare and shared by everyone; a private file's
 * carries an expiry and an HMAC (the download signature over the path), so the URL is a capability
 * and the origin answers it `private` (never kept by a shared cache). The expiry is rounded up to a
 * whole TTL window so the same file keeps the same URL for a while and browsers can reuse their copy.
 */
export class CdnUrls {
  constructor(
    private readonly options: CdnUrlOptions,
    private readonly signature: DownloadSignature,
    private readonly clock: Clock,
  ) {}

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  fileUrl(file: StoredFile): string {
    return this.url(fileCdnPath(file), file.isPublic);
  }

  /** The alias that always serves the newest thumbnail of `source`; access follows the source. */
  thumbnailUrl(source: StoredFile): string {
    return this.url(thumbnailCdnPath(source.id), source.isPublic);
  }

  /**
   * /cdn/render/{id}?{query}: a rendition (issue 15). A private file's signature covers the path, so
   * one signed URL opens every rendition of that file and of no other.
   */
  renditionUrl(file: StoredFile, query: string): string {
    const url = this.url(renditionCdnPath(file.id), file.isPublic);
    return query ? `${url}${url.includes('?') ? '&' : '?'}${query}` : url;
  }

  /** Throws InvalidSignature unless `signature` signs `path` until `expires` (unix seconds) and that is still ahead. */
  verify(path: string, expires: number, signature: string): void {
    this.signature.verify(this.signed(path, expires), signature, this.clock.now());
  }

  private url(path: string, isPublic: boolean): string {
    if (isPublic) return `${this.options.baseUrl}${path}`;
    const ttl = this.options.signedTtlSeconds;
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    const expires = Math.ceil((nowSeconds + ttl) / ttl) * ttl;
    const signature = this.signature.sign(this.signed(path, expires));
    return `${this.options.baseUrl}${path}?expires=${expires}&signature=${signature}`;
  }

  // The download signature signs a file id; a CDN path (always starting with /cdn/) cannot collide with one.
  private signed(path: string, expires: number) {
    return { fileId: path, expires, disposition: 'inline' as const, filename: '' };
  }
}
