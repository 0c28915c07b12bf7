import { CdnProbe } from '../../application/health/cdn-probe';
import type { CdnCacheStore } from '../../application/ports/cdn-cache-store.port';
import type { DependencyProbe } from '../../application/ports/dependency-probe.port';
import type { CdnPurger, CdnTrafficSource } from '../../application/ports/cdn.port';
import type { StreamFile } from '../../application/storage/delivery/stream-file';
import type { Clock } from '../../application/ports/clock.port';
import type { FileRepository } from '../../application/ports/file-repository.port';
import type { JobQueue } from '../../application/ports/job-queue.port';
import type { Logger } from '../../application/ports/logger.port';
import type { PurgeRequestRepository } from '../../application/ports/purge-request-repository.port';
import { CdnTargets } from '../../application/storage/cdn/cdn-targets';
import { CdnTrafficCounter } from '../../application/storage/cdn/cdn-traffic-counter';
import { CdnUrls } from '../../application/storage/cdn/cdn-urls';
import { DownloadSignature } from '../../application/storage/delivery/download-signature';
import { GetCdnPurge } from '../../application/storage/cdn/get-cdn-purge';
import { GetCdnStats } from '../../application/storage/cdn/get-cdn-stats';
import { RequestCdnPurge } from '../../application/storage/cdn/request-cdn-purge';
import { ResolveCdnObject } from '../../application/storage/cdn/resolve-cdn-object';
import { RunCdnPurge } from '../../application/storage/cdn/run-cdn-purge';
import type { FileLinks } from '../../adapters/http/presenters/storage-files.presenter';
import { cdnOriginRoutes } from '../../adapters/http/routes/cdn-origin.routes';
import { cdnRoutes } from '../../adapters/http/routes/cdn.routes';
import { PgCdnCacheStore } from '../../adapters/postgres/pg-cdn-cache-store';
import { PgPurgeRequestRepository } from '../../adapters/postgres/pg-purge-request-repository';
import type { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import { PgBossJobQueue } from '../../adapters/queue/pg-boss-job-queue';
import { every, type BackgroundTask, type Capability } from '../background-task';
import type { Bind } from '../binder';
import type { Config } from '../config';
import type { Lifecycle } from '../lifecycle';
import { startPeriodic, type PeriodicTask } from '../periodic-task';
import { resolveSigningSecret } from '../signing-secret';
import { TOKENS } from '../tokens';
import { cdnPurgers, cdnTrafficSource } from './cdn-adapters';

/** Purges are light HTTP calls; a few retries with pg-boss's backoff ride out a CDN API's bad minute. */
const PURGE_RETRIES = 5;
const FLUSH_INTERVAL_MS = 2_000;

type CountedBy = 'cdn_log' | 'origin';

/**
 * CDN URLs (urls.cdn / urls.thumbnail), the /cdn/ origin routes, purges (queued on pg-boss, run by
 * this instance's workers) and traffic counting: from the CDN's log when one is read (Varnish with
 * VARNISH_NAME), otherwise by the origin itself.
 */
export function bindCdn(bind: Bind): void {
  bind(
    TOKENS.CdnUrls,
    (config: Config, clock: Clock) =>
      new CdnUrls({ baseUrl: config.cdn.baseUrl, signedTtlSeconds: config.delivery.signedUrlExpiresSeconds }, new DownloadSignature(resolveSigningSecret(config)), clock),
    [TOKENS.Config, TOKENS.Clock],
  );
  // urls.thumbnail / urls.preview of images, videos and PDFs are renditions: the presets of those names, else (arbitrary sizes allowed) the same sizes.
  const renditionQuery = (config: Config, preset: string, fallback: string) =>
    config.render.presets.has(preset) ? `preset=${preset}` : config.render.allowArbitrary ? fallback : null;
  bind(
    TOKENS.FileLinks,
    (config: Config, cdn: CdnUrls): FileLinks => ({
      publicBaseUrl: config.publicBaseUrl,
      cdn,
      renditions: { thumbnail: renditionQuery(config, 'thumbnail', 'width=200&height=200'), preview: renditionQuery(config, 'preview', 'width=1200&height=1200&fit=inside') },
    }),
    [TOKENS.Config, TOKENS.CdnUrls],
  );
  bind(TOKENS.CdnTargets, (config: Config, files: FileRepository) => new CdnTargets(files, config.cdn.baseUrl), [TOKENS.Config, TOKENS.FileRepository]);
  bind(TOKENS.CdnPurgers, (config: Config): CdnPurger[] => cdnPurgers(config.cdn), [TOKENS.Config]);
  bind(TOKENS.CdnTrafficSource, (config: Config, logger: Logger): CdnTrafficSource | null => cdnTrafficSource(config.cdn, logger), [TOKENS.Config, TOKENS.Logger]);
  bind(TOKENS.CdnCacheStore, (db: PgSqlDatabase): CdnCacheStore => new PgCdnCacheStore(db), [TOKENS.PgSqlDatabase]);
  bind(TOKENS.PurgeRequestRepository, (db: PgSqlDatabase): PurgeRequestRepository => new PgPurgeRequestRepository(db), [TOKENS.PgSqlDatabase]);
  bind(
    TOKENS.CdnTrafficCounter,
    (config: Config, store: CdnCacheStore) => new CdnTrafficCounter(store, config.cdn.providers[0] ?? 'none', config.cdn.baseUrl, config.cdn.cacheTtlSeconds),
    [TOKENS.Config, TOKENS.CdnCacheStore],
  );
  bind(
    TOKENS.CdnPurgeQueue,
    (config: Config, logger: Logger, lifecycle: Lifecycle): JobQueue => {
      const queue = new PgBossJobQueue(
        { connectionString: config.databaseUrl ?? '', queue: 'cdn-purge', retries: PURGE_RETRIES, timeoutSeconds: 120, pollingIntervalSeconds: 0.5 },
        logger,
      );
      lifecycle.onClose('CDN purge queue', () => queue.close());
      return queue;
    },
    [TOKENS.Config, TOKENS.Logger, TOKENS.Lifecycle],
  );
  bind(
    TOKENS.RequestCdnPurge,
    (files: FileRepository, targets: CdnTargets, requests: PurgeRequestRepository, queue: JobQueue, purgers: CdnPurger[], clock: Clock, logger: Logger) =>
      new RequestCdnPurge(files, targets, requests, queue, purgers, clock, logger),
    [TOKENS.FileRepository, TOKENS.CdnTargets, TOKENS.PurgeRequestRepository, TOKENS.CdnPurgeQueue, TOKENS.CdnPurgers, TOKENS.Clock, TOKENS.Logger],
  );
  bind(
    TOKENS.RunCdnPurge,
    (requests: PurgeRequestRepository, purgers: CdnPurger[], store: CdnCacheStore, clock: Clock, logger: Logger) => new RunCdnPurge(requests, purgers, store, clock, logger),
    [TOKENS.PurgeRequestRepository, TOKENS.CdnPurgers, TOKENS.CdnCacheStore, TOKENS.Clock, TOKENS.Logger],
  );
  bind(TOKENS.GetCdnPurge, (requests: PurgeRequestRepository) => new GetCdnPurge(requests), [TOKENS.PurgeRequestRepository]);
  // With a CDN log to read, the CDN counts (hits too); without one, the origin counts what it serves.
  const countedBy = (source: CdnTrafficSource | null): CountedBy => (source ? 'cdn_log' : 'origin');
  bind(
    TOKENS.GetCdnStats,
    (files: FileRepository, store: CdnCacheStore, counter: CdnTrafficCounter, source: CdnTrafficSource | null, clock: Clock) =>
      new GetCdnStats(files, store, counter, countedBy(source), clock),
    [TOKENS.FileRepository, TOKENS.CdnCacheStore, TOKENS.CdnTrafficCounter, TOKENS.CdnTrafficSource, TOKENS.Clock],
  );
  bind(
    TOKENS.CdnProbe,
    (config: Config, store: CdnCacheStore, source: CdnTrafficSource | null, clock: Clock): DependencyProbe => new CdnProbe(config.cdn.providers, store, countedBy(source), clock),
    [TOKENS.Config, TOKENS.CdnCacheStore, TOKENS.CdnTrafficSource, TOKENS.Clock],
  );
  bind(
    TOKENS.ResolveCdnObject,
    (files: FileRepository, urls: CdnUrls, targets: CdnTargets) => new ResolveCdnObject(files, urls, targets),
    [TOKENS.FileRepository, TOKENS.CdnUrls, TOKENS.CdnTargets],
  );

  bind(TOKENS.CdnTrafficFlush, (counter: CdnTrafficCounter, logger: Logger) => trafficFlush(counter, logger), [TOKENS.CdnTrafficCounter, TOKENS.Logger]);
  // Only when a real CDN is configured: with none every purge completes at once.
  bind(
    TOKENS.CdnWorkers,
    (config: Config, queue: JobQueue, run: RunCdnPurge): BackgroundTask | null => {
      const concurrency = config.cdn.purgeConcurrency;
      if (concurrency === 0 || config.cdn.providers.length === 0) return null;
      return {
        name: 'CDN purge workers',
        schedule: `queue worker x${concurrency}`,
        start: () => queue.work((job) => run.execute(job), { concurrency }),
        stop: () => queue.close(),
      };
    },
    [TOKENS.Config, TOKENS.CdnPurgeQueue, TOKENS.RunCdnPurge],
  );
  bind(
    TOKENS.CdnLogReader,
    (source: CdnTrafficSource | null, counter: CdnTrafficCounter): BackgroundTask | null =>
      source && {
        name: 'CDN log reader',
        schedule: 'child process (varnishncsa)',
        // Every process reading the same Varnish log would count each request once per process.
        exclusive: true,
        start: () => source.start(async (hits) => counter.count(hits)),
        stop: () => source.close(),
      },
    [TOKENS.CdnTrafficSource, TOKENS.CdnTrafficCounter],
  );

  bind(
    TOKENS.CdnModule,
    (
      config: Config,
      requestPurge: RequestCdnPurge,
      getPurge: GetCdnPurge,
      getStats: GetCdnStats,
      resolve: ResolveCdnObject,
      stream: StreamFile,
      clock: Clock,
      source: CdnTrafficSource | null,
      counter: CdnTrafficCounter,
      flush: BackgroundTask,
      workers: BackgroundTask | null,
      logReader: BackgroundTask | null,
    ): Capability => ({
      mountRoutes(routes) {
        cdnRoutes(routes, { requestPurge, getPurge, getStats });
        cdnOriginRoutes(routes, { resolve, stream, clock, cacheTtlSeconds: config.cdn.cacheTtlSeconds, counter: source ? null : counter });
      },
      // The reader stops before the last flush, so the flush writes everything it counted.
      tasks: [flush, workers, logReader].filter((task): task is BackgroundTask => task !== null),
    }),
    [
      TOKENS.Config,
      TOKENS.RequestCdnPurge,
      TOKENS.GetCdnPurge,
      TOKENS.GetCdnStats,
      TOKENS.ResolveCdnObject,
      TOKENS.StreamFile,
      TOKENS.Clock,
      TOKENS.CdnTrafficSource,
      TOKENS.CdnTrafficCounter,
      TOKENS.CdnTrafficFlush,
      TOKENS.CdnWorkers,
      TOKENS.CdnLogReader,
    ],
  );
}

/** Writes the counted traffic every couple of seconds, and once more when stopped. */
function trafficFlush(counter: CdnTrafficCounter, logger: Logger): BackgroundTask {
  const flush = () => counter.flush().catch((e: unknown) => logger.warn({ err: { message: e instanceof Error ? e.message : String(e) } }, 'CDN traffic counters not written'));
  let timer: PeriodicTask | null = null;
  return {
    name: 'CDN traffic counter flush',
    schedule: every(FLUSH_INTERVAL_MS),
    start() {
      timer ??= startPeriodic('CDN traffic counter flush', FLUSH_INTERVAL_MS, flush, logger);
    },
    async stop() {
      const running = timer;
      timer = null;
      if (!running) return;
      await running.stop();
      await flush();
    },
  };
}
