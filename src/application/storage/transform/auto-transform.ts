import type { Role } from '../../../domain/auth/caller';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { Logger } from '../../ports/logger.port';
import type { RequestTransformation } from './request-transformation';
import type { Engines } from './transform-plan';

/**
 * `auto_transform: true` at upload (002's flow: "Auto Transform? → Queue Transformations"): a
 * thumbnail for images (and videos, with a media engine); for documents a thumbnail of the first
 * page (with a document renderer) and text extraction (with a text extractor for the type). Runs
 * after the file exists and never fails the upload: what cannot be queued is logged.
 */
export class AutoTransform {
  constructor(private readonly request: RequestTransformation, private readonly engines: () => Engines, private readonly logger: Logger) {}

  execute(file: StoredFile, owner: { userId: string; role: Role }): void {
    if (file.metadata.auto_transform !== true) return;
    for (const type of this.typesFor(file)) {
      this.request
        .execute({
          caller: { userId: owner.userId, role: owner.role, email: null, subscriptionType: null, permissions: [], tokenId: null },
          sourceFileId: file.id,
          type,
          parameters: {},
          outputName: null,
        })
        .catch((error: unknown) =>
          this.logger.warn({ fileId: file.id, type, err: error instanceof Error ? { message: error.message } : String(error) }, 'auto_transform: could not queue'),
        );
    }
  }

  private typesFor(file: StoredFile): string[] {
    const engines = this.engines();
    if (file.fileType === 'image' && file.mimeType !== 'image/svg+xml') return ['thumbnail_generation'];
    if (file.fileType === 'video' && engines.media) return ['thumbnail_generation'];
    if (file.fileType !== 'document') return [];
    return [
      ...(engines.pages?.accepts.includes(file.mimeType) ? ['thumbnail_generation'] : []),
      ...(engines.text?.accepts.includes(file.mimeType) ? ['text_extraction'] : []),
    ];
  }
}
