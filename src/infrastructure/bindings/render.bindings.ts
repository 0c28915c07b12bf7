import type { Clock } from '../../application/ports/clock.port';
import type { DocumentRenderer } from '../../application/ports/document-renderer.port';
import type { FileRepository } from '../../application/ports/file-repository.port';
import type { ImageTransformer } from '../../application/ports/image-transformer.port';
import type { Logger } from '../../application/ports/logger.port';
import type { MediaTransformer } from '../../application/ports/media-transformer.port';
import type { ObjectStore } from '../../application/ports/object-store.port';
import type { RateLimitCounter } from '../../application/ports/rate-limit-counter.port';
import type { ProductionLocks, RenditionRepository } from '../../application/ports/rendition-repository.port';
import type { ResolveCdnObject } from '../../application/storage/cdn/resolve-cdn-object';
import { readableFile } from '../../application/storage/delivery/readable-file';
import type { FileContent } from '../../application/storage/encryption/file-content';
import { DrawRendition } from '../../application/storage/render/draw-rendition';
import { RenderFile } from '../../application/storage/render/render-file';
import { RenditionCache } from '../../application/storage/render/rendition-cache';
import { storageRenderRoutes } from '../../adapters/http/routes/storage-render.routes';
import { TempScratchFolders } from '../../adapters/file-system/temp-scratch-folders';
import { PgProductionLocks, PgRenditionRepository } from '../../adapters/postgres/pg-rendition-repository';
import type { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import type { Capability } from '../background-task';
import type { Bind } from '../binder';
import type { Config } from '../config';
import { TOKENS } from '../tokens';

/**
 * Renditions on request (issue 15): GET /api/v1/storage/render/{id} and /cdn/render/{id}, over the
 * image engine (TOKENS.ImageTransformer), the media engine and the document renderer, with the
 * rendition cache in the primary object store and file_renditions.
 */
export function bindRender(bind: Bind): void {
  bind(TOKENS.RenditionRepository, (db: PgSqlDatabase): RenditionRepository => new PgRenditionRepository(db), [TOKENS.PgSqlDatabase]);
  bind(TOKENS.ProductionLocks, (db: PgSqlDatabase): ProductionLocks => new PgProductionLocks(db), [TOKENS.PgSqlDatabase]);
  bind(
    TOKENS.RenditionCache,
    (config: Config, renditions: RenditionRepository, store: ObjectStore, content: FileContent, clock: Clock, logger: Logger) =>
      new RenditionCache(renditions, store, content, clock, logger, { maxBytes: config.render.cacheMaxBytes }),
    [TOKENS.Config, TOKENS.RenditionRepository, TOKENS.ObjectStore, TOKENS.FileContent, TOKENS.Clock, TOKENS.Logger],
  );
  bind(
    TOKENS.RenderFile,
    (config: Config, cache: RenditionCache, image: ImageTransformer, media: MediaTransformer | null, pages: DocumentRenderer | null, store: ObjectStore, content: FileContent, locks: ProductionLocks, rate: RateLimitCounter) => {
      const engines = { image, media, pages, scratch: new TempScratchFolders() };
      const r = config.render;
      // Each production holds a pooled connection (its lock) and needs another for its queries; twice as
      // many productions as drawings, so that one's reads, lock and writes overlap another's drawing.
      const productions = Math.max(1, Math.min(2 * r.concurrency, config.pool.max - 1));
      return new RenderFile(cache, new DrawRendition(engines, store, content, r.maxInputPixels), engines, locks, rate, {
        limits: { maxDimension: r.maxDimension, defaultQuality: r.imageQuality, presets: r.presets, allowArbitrary: r.allowArbitrary },
        newPerMinute: r.newPerMinute,
        concurrency: Math.min(r.concurrency, productions),
        productions,
      });
    },
    [TOKENS.Config, TOKENS.RenditionCache, TOKENS.ImageTransformer, TOKENS.MediaTransformer, TOKENS.DocumentRenderer, TOKENS.ObjectStore, TOKENS.FileContent, TOKENS.ProductionLocks, TOKENS.RateLimitStore],
  );
  bind(
    TOKENS.RenderModule,
    (config: Config, render: RenderFile, files: FileRepository, resolve: ResolveCdnObject, clock: Clock): Capability => ({
      mountRoutes(routes) {
        storageRenderRoutes(routes, {
          render,
          readable: (fileId, caller) => readableFile(files, fileId, caller),
          resolve,
          clock,
          cacheTtlSeconds: config.cdn.cacheTtlSeconds,
        });
      },
      tasks: [],
    }),
    [TOKENS.Config, TOKENS.RenderFile, TOKENS.FileRepository, TOKENS.ResolveCdnObject, TOKENS.Clock],
  );
}
