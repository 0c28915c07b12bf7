import type { Container } from 'inversify';
import { CdnProbe } from '../../application/health/cdn-probe';
import type { CdnCacheStore } from '../../application/ports/cdn-cache-store.port';
import type { DependencyProbe } from '../../application/ports/dependency-probe.port';
import type { CdnPurger, CdnTrafficSource } from '../../application/ports/cdn.port';
import type { Clock } from '../../application/ports/clock.port';
import type { FileRepository } from '../../application/ports/file-repository.port';
import type { JobQueue } from '../../application/ports/job-queue.port';
import type { Logger } from '../../application/ports/logger.port';
import type { PurgeRequestRepository } from '../../application/ports/purge-request-repository.port';
import type { SqlDatabase } from '../../application/ports/sql-database.port';
import { CdnTargets } from '../../application/storage/cdn/cdn-targets';
import { CdnTrafficCounter } from '../../application/storage/cdn/cdn-traffic-counter';
import { CdnUrls } from '../../application/storage/cdn/cdn-urls';
import { DownloadSignature } from '../../application/storage/delivery/download-signature';
import { GetCdnPurge } from '../../application/storage/cdn/get-cdn-purge';
import { GetCdnStats } from '../../application/storage/cdn/get-cdn-stats';
import { RequestCdnPurge } from '../../application/storage/cdn/request-cdn-purge';
import { ResolveCdnObject } from '../../application/storage/cdn/resolve-cdn-object';
import { RunCdnPurge } from '../../application/storage/cdn/run-cdn-purge';
import type { StreamFile } from '../../application/storage/delivery/stream-file';
import type { FileLinks } from '../../adapters/http/presenters/storage-files.presenter';
import type { RouteBuilder } from '../../adapters/http/route-builder';
import { cdnOriginRoutes } from '../../adapters/http/routes/cdn-origin.routes';
import { cdnRoutes } from '../../adapters/http/routes/cdn.routes';
import { PgCdnCacheStore } from '../../adapters/postgres/pg-cdn-cache-store';
import { PgPurgeRequestRepository } from '../../adapters/postgres/pg-purge-request-repository';
import { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import { PgBossJobQueue } from '../../adapters/queue/pg-boss-job-queue';
import type { Config } from '../config';
import type { Bind, Get } from '../container';
import type { Lifecycle } from '../lifecycle';
import { resolveSigningSecret } from '../signing-secret';
import { TOKENS } from '../tokens';
import { cdnPurgers, cdnTrafficSource } from './cdn-adapters';

/** Purges are light HTTP calls; a few retries with pg-boss's backoff ride out a CDN API's bad minute. */
const PURGE_RETRIES = 5;
const FLUSH_INTERVAL_MS = 2_000;

/**
 * CDN URLs (urls.cdn / urls.thumbnail), the /cdn/ origin routes, purges (queued on pg-boss, run by
 * this instance's workers) and traffic counting: from the CDN's log when one is read (Varnish with
 * VARNISH_NAME), otherwise by the origin itself.
 */
export function bindCdn(container: Container, bind: Bind, get: Get): void {
  const config = () => get<Config>(TOKENS.Config);
  const clock = () => get<Clock>(TOKENS.Clock);
  const logger = () => get<Logger>(TOKENS.Logger);
  const files = () => get<FileRepository>(TOKENS.FileRepository);
  const lifecycle = () => get<Lifecycle>(TOKENS.Lifecycle);
  const pg = () => {
    const db = get<SqlDatabase>(TOKENS.SqlDatabase);
    if (!(db instanceof PgSqlDatabase)) throw new Error('The CDN bookkeeping needs the PostgreSQL adapter (PgSqlDatabase) bound to SqlDatabase');
    return db;
  };

  const trafficSource = () => get<CdnTrafficSource | null>(TOKENS.CdnTrafficSource);
  // With a CDN log to read, the CDN counts (hits too); without one, the origin counts what it serves.
  const countedBy = () => (trafficSource() ? ('cdn_log' as const) : ('origin' as const));

  bind<CdnUrls>(TOKENS.CdnUrls, () =>
    new CdnUrls({ baseUrl: config().cdn.baseUrl, signedTtlSeconds: config().delivery.signedUrlExpiresSeconds }, new DownloadSignature(resolveSigningSecret(config())), clock()),
  );
  bind<FileLinks>(TOKENS.FileLinks, () => ({ publicBaseUrl: config().publicBaseUrl, cdn: get<CdnUrls>(TOKENS.CdnUrls) }));
  bind<CdnTargets>(TOKENS.CdnTargets, () => new CdnTargets(files(), config().cdn.baseUrl));
  bind<CdnPurger[]>(TOKENS.CdnPurgers, () => cdnPurgers(config().cdn));
  bind<CdnTrafficSource | null>(TOKENS.CdnTrafficSource, () => cdnTrafficSource(config().cdn, logger()));
  bind<CdnCacheStore>(TOKENS.CdnCacheStore, () => new PgCdnCacheStore(pg()));
  bind<PurgeRequestRepository>(TOKENS.PurgeRequestRepository, () => new PgPurgeRequestRepository(pg()));
  bind<CdnTrafficCounter>(TOKENS.CdnTrafficCounter, () => {
    const { providers, baseUrl, cacheTtlSeconds } = config().cdn;
    const counter = new CdnTrafficCounter(get<CdnCacheStore>(TOKENS.CdnCacheStore), providers[0] ?? 'none', baseUrl, cacheTtlSeconds);
    const timer = setInterval(() => void counter.flush().catch((e: unknown) => logger().warn({ err: { message: (e as Error).message } }, 'CDN traffic counters not written')), FLUSH_INTERVAL_MS);
    timer.unref();
    lifecycle().onClose('CDN traffic counters', async () => {
      clearInterval(timer);
      await counter.flush().catch(() => undefined);
    });
    return counter;
  });
  bind<JobQueue>(TOKENS.CdnPurgeQueue, () => {
    const queue = new PgBossJobQueue(
      { connectionString: config().databaseUrl!, queue: 'cdn-purge', retries: PURGE_RETRIES, timeoutSeconds: 120, pollingIntervalSeconds: 0.5 },
      logger(),
    );
    lifecycle().onClose('CDN purge queue', () => queue.close());
    return queue;
  });
  bind<RequestCdnPurge>(TOKENS.RequestCdnPurge, () =>
    new RequestCdnPurge(files(), get<CdnTargets>(TOKENS.CdnTargets), get<PurgeRequestRepository>(TOKENS.PurgeRequestRepository), get<JobQueue>(TOKENS.CdnPurgeQueue), get<CdnPurger[]>(TOKENS.CdnPurgers), clock(), logger()),
  );
  bind<RunCdnPurge>(TOKENS.RunCdnPurge, () =>
    new RunCdnPurge(get<PurgeRequestRepository>(TOKENS.PurgeRequestRepository), get<CdnPurger[]>(TOKENS.CdnPurgers), get<CdnCacheStore>(TOKENS.CdnCacheStore), clock(), logger()),
  );
  bind<GetCdnPurge>(TOKENS.GetCdnPurge, () => new GetCdnPurge(get<PurgeRequestRepository>(TOKENS.PurgeRequestRepository)));
  bind<GetCdnStats>(TOKENS.GetCdnStats, () =>
    new GetCdnStats(files(), get<CdnCacheStore>(TOKENS.CdnCacheStore), get<CdnTrafficCounter>(TOKENS.CdnTrafficCounter), countedBy(), clock()),
  );
  bind<DependencyProbe>(TOKENS.CdnProbe, () =>
    new CdnProbe(config().cdn.providers, get<CdnCacheStore>(TOKENS.CdnCacheStore), countedBy(), clock()),
  );
  bind<ResolveCdnObject>(TOKENS.ResolveCdnObject, () => new ResolveCdnObject(files(), get<CdnUrls>(TOKENS.CdnUrls), get<CdnTargets>(TOKENS.CdnTargets)));
  // The purge workers (only when a real CDN is configured: with none every purge completes at once)
  // and the CDN log reader. Failures are logged; the API still answers.
  bind<{ started: Promise<void> }>(TOKENS.CdnWorkers, () => {
    const concurrency = config().cdn.purgeConcurrency;
    const work = async () => {
      if (concurrency > 0 && config().cdn.providers.length > 0) {
        const run = get<RunCdnPurge>(TOKENS.RunCdnPurge);
        await get<JobQueue>(TOKENS.CdnPurgeQueue).work((job) => run.execute(job), { concurrency });
      }
      const source = trafficSource();
      if (source) {
        const counter = get<CdnTrafficCounter>(TOKENS.CdnTrafficCounter);
        lifecycle().onClose('CDN log reader', () => source.close());
        await source.start(async (hits) => counter.count(hits));
      }
    };
    const started = work();
    started.catch((error: unknown) => logger().error({ err: { message: (error as Error).message } }, 'CDN workers did not start'));
    return { started };
  });
}

/** The API and origin routes; mounting them also starts this instance's purge workers and log reader. */
export function mountCdnRoutes(routes: RouteBuilder, get: Get): void {
  const config = get<Config>(TOKENS.Config);
  get<{ started: Promise<void> }>(TOKENS.CdnWorkers);
  cdnRoutes(routes, { requestPurge: get<RequestCdnPurge>(TOKENS.RequestCdnPurge), getPurge: get<GetCdnPurge>(TOKENS.GetCdnPurge), getStats: get<GetCdnStats>(TOKENS.GetCdnStats) });
  cdnOriginRoutes(routes, {
    resolve: get<ResolveCdnObject>(TOKENS.ResolveCdnObject),
    stream: get<StreamFile>(TOKENS.StreamFile),
    clock: get<Clock>(TOKENS.Clock),
    cacheTtlSeconds: config.cdn.cacheTtlSeconds,
    counter: get<CdnTrafficSource | null>(TOKENS.CdnTrafficSource) ? null : get<CdnTrafficCounter>(TOKENS.CdnTrafficCounter),
  });
}
