import type { Container } from 'inversify';
import type { Clock } from '../../application/ports/clock.port';
import type { ContentHasher } from '../../application/ports/content-hasher.port';
import type { DocumentRenderer } from '../../application/ports/document-renderer.port';
import type { FileRepository } from '../../application/ports/file-repository.port';
import type { ImageTransformer } from '../../application/ports/image-transformer.port';
import type { JobQueue } from '../../application/ports/job-queue.port';
import type { Logger } from '../../application/ports/logger.port';
import type { MediaTransformer } from '../../application/ports/media-transformer.port';
import type { ObjectStore } from '../../application/ports/object-store.port';
import type { SqlDatabase } from '../../application/ports/sql-database.port';
import type { TextExtractor } from '../../application/ports/text-extractor.port';
import type { TransformationRepository } from '../../application/ports/transformation-repository.port';
import { AutoTransform } from '../../application/storage/transform/auto-transform';
import { CancelTransformation } from '../../application/storage/transform/cancel-transformation';
import type { CreateStoredFile } from '../../application/storage/uploads/create-stored-file';
import { GetTransformation } from '../../application/storage/transform/get-transformation';
import type { RemoveStoredFile } from '../../application/storage/files/remove-stored-file';
import { RequestTransformation } from '../../application/storage/transform/request-transformation';
import { RunTransformation } from '../../application/storage/transform/run-transformation';
import { StoreDerivedFile } from '../../application/storage/transform/store-derived-file';
import type { Engines } from '../../application/storage/transform/transform-plan';
import type { FileLinks } from '../../adapters/http/presenters/storage-files.presenter';
import type { RouteBuilder } from '../../adapters/http/route-builder';
import { storageTransformRoutes } from '../../adapters/http/routes/storage-transform.routes';
import { JimpImageTransformer } from '../../adapters/image/jimp-image-transformer';
import { renderWaveformPng } from '../../adapters/media/waveform-png';
import { SharpImageTransformer } from '../../adapters/image/sharp-image-transformer';
import { PgTransformationRepository } from '../../adapters/postgres/pg-transformation-repository';
import { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import { PgBossJobQueue } from '../../adapters/queue/pg-boss-job-queue';
import type { Config } from '../config';
import type { Bind, Get } from '../container';
import type { Lifecycle } from '../lifecycle';
import { TOKENS } from '../tokens';

/**
 * Transformation jobs: the image engine (sharp, or jimp with IMAGE_ENGINE=jimp), the pg-boss queue,
 * the use cases and the worker. The media, text and page engines are optional bindings of their own
 * (TOKENS.MediaTransformer, TOKENS.TextExtractor, TOKENS.DocumentRenderer): without them those
 * types are refused with 422.
 */
export function bindTransforms(container: Container, bind: Bind, get: Get): void {
  const config = () => get<Config>(TOKENS.Config);
  const clock = () => get<Clock>(TOKENS.Clock);
  const logger = () => get<Logger>(TOKENS.Logger);
  const transformations = () => get<TransformationRepository>(TOKENS.TransformationRepository);
  const queue = () => get<JobQueue>(TOKENS.JobQueue);
  const media = () => (container.isBound(TOKENS.MediaTransformer) ? get<MediaTransformer>(TOKENS.MediaTransformer) : null);
  const text = () => (container.isBound(TOKENS.TextExtractor) ? get<TextExtractor>(TOKENS.TextExtractor) : null);
  const pages = () => (container.isBound(TOKENS.DocumentRenderer) ? get<DocumentRenderer>(TOKENS.DocumentRenderer) : null);
  const engines = (): Engines => {
    const extractor = text();
    const renderer = pages();
    return { media: media() !== null, text: extractor ? { accepts: extractor.accepts } : null, pages: renderer ? { accepts: renderer.accepts } : null };
  };

  bind<ImageTransformer>(TOKENS.ImageTransformer, () => (config().transforms.imageEngine === 'jimp' ? new JimpImageTransformer() : new SharpImageTransformer()));
  bind<TransformationRepository>(TOKENS.TransformationRepository, () => {
    const db = get<SqlDatabase>(TOKENS.SqlDatabase);
    if (!(db instanceof PgSqlDatabase)) throw new Error('The transformation repository needs the PostgreSQL adapter (PgSqlDatabase) bound to SqlDatabase');
    return new PgTransformationRepository(db);
  });
  bind<JobQueue>(TOKENS.JobQueue, () => {
    const { databaseUrl, transforms } = config();
    const jobs = new PgBossJobQueue(
      { connectionString: databaseUrl!, queue: 'file-transformation', retries: transforms.retries, timeoutSeconds: transforms.timeoutSeconds, pollingIntervalSeconds: 0.5 },
      logger(),
    );
    get<Lifecycle>(TOKENS.Lifecycle).onClose('transformation queue', () => jobs.close());
    return jobs;
  });
  bind<RequestTransformation>(TOKENS.RequestTransformation, () =>
    new RequestTransformation(get<FileRepository>(TOKENS.FileRepository), transformations(), queue(), engines, clock(), config().transforms.concurrency));
  bind<GetTransformation>(TOKENS.GetTransformation, () => new GetTransformation(transformations(), get<FileRepository>(TOKENS.FileRepository)));
  bind<CancelTransformation>(TOKENS.CancelTransformation, () => new CancelTransformation(transformations(), queue(), clock()));
  bind<AutoTransform>(TOKENS.AutoTransform, () => new AutoTransform(get<RequestTransformation>(TOKENS.RequestTransformation), engines, logger()));
  bind<RunTransformation>(TOKENS.RunTransformation, () => {
    const store = get<ObjectStore>(TOKENS.ObjectStore);
    const files = get<FileRepository>(TOKENS.FileRepository);
    const derived = new StoreDerivedFile(store, files, get<CreateStoredFile>(TOKENS.CreateStoredFile), config().uploads.maxFileSizeBytes, get<ContentHasher>(TOKENS.ContentHasher));
    return new RunTransformation(
      transformations(), files, store,
      { image: get<ImageTransformer>(TOKENS.ImageTransformer), media: media(), text: text(), pages: pages(), drawWaveform: renderWaveformPng },
      derived, get<RemoveStoredFile>(TOKENS.RemoveStoredFile), clock(), logger(),
      { timeoutMs: config().transforms.timeoutSeconds * 1000, cancelPollMs: 500 },
    );
  });
  // Starting the workers is asynchronous (pg-boss starts); a failure is logged, the API still answers.
  bind<{ started: Promise<void> }>(TOKENS.TransformWorker, () => {
    const run = get<RunTransformation>(TOKENS.RunTransformation);
    const concurrency = config().transforms.concurrency;
    const started = concurrency === 0 ? Promise.resolve() : queue().work((job) => run.execute(job), { concurrency });
    started.catch((error: unknown) => logger().error({ err: error instanceof Error ? { message: error.message } : String(error) }, 'transformation workers did not start'));
    return { started };
  });
}

/** Mounting the routes also starts this instance's workers: they run wherever the API runs. */
export function mountTransformRoutes(routes: RouteBuilder, get: Get): void {
  get<{ started: Promise<void> }>(TOKENS.TransformWorker);
  storageTransformRoutes(routes, {
    requestTransformation: get<RequestTransformation>(TOKENS.RequestTransformation),
    getTransformation: get<GetTransformation>(TOKENS.GetTransformation),
    cancelTransformation: get<CancelTransformation>(TOKENS.CancelTransformation),
    links: get<FileLinks>(TOKENS.FileLinks),
  });
}
