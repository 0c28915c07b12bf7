import type { StoredFile } from './stored-file';

/** Where cached copies live. `none`: no shared cache, the origin's cache headers speak to browsers only. */
export type CdnProvider = 'varnish' | 'cloudflare' | 'azure_cdn' | 'none';

/** 002 "CDN Management": what a purge covers of each file. */
export type PurgeType = 'all' | 'thumbnails' | 'previews';

export type PurgeStatus = 'queued' | 'processing' | 'completed' | 'failed';

/**
 * One cacheable URL. `path` is the origin path (the CDN caches it under any query string: signed
 * URLs of private files differ only there); `url` is what clients are given.
 */
export interface CdnTarget {
  fileId: string;
  path: string;
  url: string;
}

/** The version segment of a file's CDN path: its content never changes under it, so it is cacheable for good. */
export function contentVersion(file: Pick<StoredFile, 'checksumSha256'>): string {
  return file.checksumSha256.slice(0, 16);
}

/** /cdn/files/{id}/{version}: content-addressed, served `immutable`. */
export function fileCdnPath(file: Pick<StoredFile, 'id' | 'checksumSha256'>): string {
  return `/cdn/files/${file.id}/${contentVersion(file)}`;
}

/** /cdn/thumbnails/{source id}: a stable alias of the newest thumbnail, revalidated, purged when it changes. */
export function thumbnailCdnPath(sourceFileId: string): string {
  return `/cdn/thumbnails/${sourceFileId}`;
}

/** One request a CDN answered, as its log (or the origin) saw it. */
export interface CdnHit {
  path: string;
  hit: boolean;
  /** Body bytes sent to the client. */
  bytes: number;
  at: Date;
  /** Only when the provider reports where the client was; never guessed. */
  region?: string | null;
}

/** `part` of `whole` in percent with one decimal (hit ratios, regional shares); 0 of nothing is 0. */
export function percentOf(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10;
}
