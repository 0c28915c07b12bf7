import type { Clock } from '../../application/ports/clock.port';
import type { FileContent } from '../../application/storage/encryption/file-content';
import type { ContentHasher } from '../../application/ports/content-hasher.port';
import type { DocumentRenderer } from '../../application/ports/document-renderer.port';
import type { FileRepository } from '../../application/ports/file-repository.port';
import type { ImageTransformer } from '../../application/ports/image-transformer.port';
import type { JobQueue } from '../../application/ports/job-queue.port';
import type { Logger } from '../../application/ports/logger.port';
import type { MediaTransformer } from '../../application/ports/media-transformer.port';
import type { ObjectStore } from '../../application/ports/object-store.port';
import type { TextExtractor } from '../../application/ports/text-extractor.port';
import type { TransformationRepository } from '../../application/ports/transformation-repository.port';
import { AutoTransform } from '../../application/storage/transform/auto-transform';
import { CancelTransformation } from '../../application/storage/transform/cancel-transformation';
import type { CreateStoredFile } from '../../application/storage/uploads/create-stored-file';
import { GetTransformation } from '../../application/storage/transform/get-transformation';
import { ListTransformations } from '../../application/storage/transform/list-transformations';
import type { RemoveStoredFile } from '../../application/storage/files/remove-stored-file';
import { RequestTransformation } from '../../application/storage/transform/request-transformation';
import { RunTransformation } from '../../application/storage/transform/run-transformation';
import { StoreDerivedFile } from '../../application/storage/transform/store-derived-file';
import type { Engines } from '../../application/storage/transform/transform-plan';
import type { FileLinks } from '../../adapters/http/presenters/storage-files.presenter';
import { storageTransformRoutes } from '../../adapters/http/routes/storage-transform.routes';
import { JimpImageTransformer } from '../../adapters/image/jimp-image-transformer';
import { renderWaveformPng } from '../../adapters/media/waveform-png';
import { TempScratchFolders } from '../../adapters/file-system/temp-scratch-folders';
import { SharpImageTransformer } from '../../adapters/image/sharp-image-transformer';
import { PgTransformationRepository } from '../../adapters/postgres/pg-transformation-repository';
import type { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import { PgBossJobQueue } from '../../adapters/queue/pg-boss-job-queue';
import type { BackgroundTask, Capability } from '../background-task';
import type { Bind } from '../binder';
import type { Config } from '../config';
import type { Lifecycle } from '../lifecycle';
import { TOKENS } from '../tokens';

/**
 * Transformation jobs: the image engine (sharp, or jimp with IMAGE_ENGINE=jimp), the pg-boss queue,
 * the use cases and this instance's workers. The media, text and page engines are bindings of their
 * own (TOKENS.MediaTransformer, TOKENS.TextExtractor, TOKENS.DocumentRenderer): bound to null, those
 * types are refused with 422.
 */
export function bindTransforms(bind: Bind): void {
  bind(
    TOKENS.TransformEngines,
    (media: MediaTransformer | null, text: TextExtractor | null, pages: DocumentRenderer | null): Engines => ({
      media: media !== null,
      text: text ? { accepts: text.accepts } : null,
      pages: pages ? { accepts: pages.accepts } : null,
    }),
    [TOKENS.MediaTransformer, TOKENS.TextExtractor, TOKENS.DocumentRenderer],
  );
  bind(
    TOKENS.ImageTransformer,
    (config: Config): ImageTransformer => (config.transforms.imageEngine === 'jimp' ? new JimpImageTransformer() : new SharpImageTransformer()),
    [TOKENS.Config],
  );
  bind(TOKENS.TransformationRepository, (db: PgSqlDatabase): TransformationRepository => new PgTransformationRepository(db), [TOKENS.PgSqlDatabase]);
  bind(
    TOKENS.JobQueue,
    (config: Config, logger: Logger, lifecycle: Lifecycle): JobQueue => {
      const { databaseUrl, transforms } = config;
      const jobs = new PgBossJobQueue(
        { connectionString: databaseUrl ?? '', queue: 'file-transformation', retries: transforms.retries, timeoutSeconds: transforms.timeoutSeconds, pollingIntervalSeconds: 0.5, abandonedQueue: true },
        logger,
      );
      lifecycle.onClose('transformation queue', () => jobs.close());
      return jobs;
    },
    [TOKENS.Config, TOKENS.Logger, TOKENS.Lifecycle],
  );
  bind(
    TOKENS.RequestTransformation,
    (config: Config, files: FileRepository, transformations: TransformationRepository, queue: JobQueue, engines: Engines, clock: Clock) =>
      new RequestTransformation(files, transformations, queue, () => engines, clock, config.transforms.concurrency),
    [TOKENS.Config, TOKENS.FileRepository, TOKENS.TransformationRepository, TOKENS.JobQueue, TOKENS.TransformEngines, TOKENS.Clock],
  );
  bind(
    TOKENS.GetTransformation,
    (transformations: TransformationRepository, files: FileRepository) => new GetTransformation(transformations, files),
    [TOKENS.TransformationRepository, TOKENS.FileRepository],
  );
  bind(
    TOKENS.ListTransformations,
    (transformations: TransformationRepository, files: FileRepository) => new ListTransformations(transformations, files),
    [TOKENS.TransformationRepository, TOKENS.FileRepository],
  );
  bind(
    TOKENS.CancelTransformation,
    (transformations: TransformationRepository, queue: JobQueue, clock: Clock) => new CancelTransformation(transformations, queue, clock),
    [TOKENS.TransformationRepository, TOKENS.JobQueue, TOKENS.Clock],
  );
  bind(
    TOKENS.AutoTransform,
    (request: RequestTransformation, engines: Engines, logger: Logger) => new AutoTransform(request, () => engines, logger),
    [TOKENS.RequestTransformation, TOKENS.TransformEngines, TOKENS.Logger],
  );
  bind(
    TOKENS.RunTransformation,
    (
      config: Config,
      transformations: TransformationRepository,
      files: FileRepository,
      store: ObjectStore,
      create: CreateStoredFile,
      hasher: ContentHasher,
      image: ImageTransformer,
      media: MediaTransformer | null,
      text: TextExtractor | null,
      pages: DocumentRenderer | null,
      remove: RemoveStoredFile,
      clock: Clock,
      logger: Logger,
      content: FileContent,
    ) => {
      const derived = new StoreDerivedFile(store, files, create, config.uploads.maxFileSizeBytes, hasher, content);
      return new RunTransformation(
        transformations, files, store,
        { image, media, text, pages, drawWaveform: renderWaveformPng, scratch: new TempScratchFolders() },
        derived, remove, clock, logger,
        { timeoutMs: config.transforms.timeoutSeconds * 1000, cancelPollMs: 500 },
        content,
      );
    },
    [
      TOKENS.Config,
      TOKENS.TransformationRepository,
      TOKENS.FileRepository,
      TOKENS.ObjectStore,
      TOKENS.CreateStoredFile,
      TOKENS.ContentHasher,
      TOKENS.ImageTransformer,
      TOKENS.MediaTransformer,
      TOKENS.TextExtractor,
      TOKENS.DocumentRenderer,
      TOKENS.RemoveStoredFile,
      TOKENS.Clock,
      TOKENS.Logger,
      TOKENS.FileContent,
    ],
  );
  // None with TRANSFORM_CONCURRENCY=0: this instance then only queues, others run the jobs.
  bind(
    TOKENS.TransformWorker,
    (config: Config, queue: JobQueue, run: RunTransformation): BackgroundTask | null => {
      const concurrency = config.transforms.concurrency;
      if (concurrency === 0) return null;
      return {
        name: 'transformation workers',
        schedule: `queue worker x${concurrency}`,
        // A job whose worker died on its last attempt is failed on its row, not left processing.
        start: () => queue.work((job) => run.execute(job), { concurrency, onAbandoned: (job) => run.abandoned(job.id) }),
        // Stops fetching and waits for the jobs running here.
        stop: () => queue.close(),
      };
    },
    [TOKENS.Config, TOKENS.JobQueue, TOKENS.RunTransformation],
  );

  bind(
    TOKENS.TransformsModule,
    (
      requestTransformation: RequestTransformation,
      getTransformation: GetTransformation,
      listTransformations: ListTransformations,
      cancelTransformation: CancelTransformation,
      links: FileLinks,
      worker: BackgroundTask | null,
    ): Capability => ({
      mountRoutes(routes) {
        storageTransformRoutes(routes, { requestTransformation, getTransformation, listTransformations, cancelTransformation, links });
      },
      tasks: worker ? [worker] : [],
    }),
    [TOKENS.RequestTransformation, TOKENS.GetTransformation, TOKENS.ListTransformations, TOKENS.CancelTransformation, TOKENS.FileLinks, TOKENS.TransformWorker],
  );
}
