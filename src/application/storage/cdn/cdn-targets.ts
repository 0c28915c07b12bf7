import { fileCdnPath, thumbnailCdnPath, type CdnTarget, type PurgeType } from '../../../domain/storage/cdn';
import { renditionCdnPath } from '../../../domain/storage/rendition';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { FileRepository } from '../../ports/file-repository.port';

/** Transformations whose outputs 002 calls previews (purge_type "previews"). */
const PREVIEW_TYPES = new Set(['image_resize', 'format_conversion', 'compression']);

/**
 * The CDN URLs a purge of `file` covers. all: the file, its thumbnail alias and every derived output;
 * thumbnails: the alias and the thumbnail outputs; previews: resized, converted and compressed outputs.
 * Targets are bare URLs: purging a path also purges its signed (query-string) variants.
 */
export class CdnTargets {
  constructor(
    private readonly files: FileRepository,
    private readonly baseUrl: string,
  ) {}

  async forFile(file: StoredFile, type: PurgeType): Promise<CdnTarget[]> {
    const paths: Array<{ fileId: string; path: string }> = [];
    if (type === 'all') paths.push({ fileId: file.id, path: fileCdnPath(file) });
    if (type !== 'previews') paths.push({ fileId: file.id, path: thumbnailCdnPath(file.id) });
    // Every rendition of the file (thumbnails and previews alike) lives under one path, whatever its query string.
    paths.push({ fileId: file.id, path: renditionCdnPath(file.id) });
    for (const t of await this.files.transformationsOf(file.id)) {
      if (!t.outputFileId || t.status !== 'completed') continue;
      const wanted = type === 'all' || (type === 'thumbnails' ? t.type === 'thumbnail_generation' : PREVIEW_TYPES.has(t.type));
      if (!wanted) continue;
      const output = await this.files.findById(t.outputFileId);
      if (output) paths.push({ fileId: output.id, path: fileCdnPath(output) });
    }
    return paths.map((p) => ({ ...p, url: `${this.baseUrl}${p.path}` }));
  }

  /** The newest completed thumbnail of `source`, if any. */
  async thumbnailOf(source: StoredFile): Promise<StoredFile | null> {
    const thumbnails = (await this.files.transformationsOf(source.id)).filter((t) => t.type === 'thumbnail_generation' && t.status === 'completed' && t.outputFileId);
    for (const t of thumbnails.reverse()) {
      const output = await this.files.findById(t.outputFileId!);
      if (output && !output.deletedAt) return output;
    }
    return null;
  }
}
