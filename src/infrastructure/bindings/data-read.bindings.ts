import type { Container } from 'inversify';
import type { Redis } from 'ioredis';
import type { CacheInvalidator } from '../../application/ports/cache-invalidator.port';
import type { Clock } from '../../application/ports/clock.port';
import type { KeyValueStore } from '../../application/ports/key-value-store.port';
import type { LeaseSessions } from '../../application/ports/lease-sessions.port';
import type { Logger } from '../../application/ports/logger.port';
import type { PendingInvalidations } from '../../application/ports/pending-invalidations.port';
import type { QueryCache } from '../../application/ports/query-cache.port';
import type { SchemaCatalog } from '../../application/ports/schema-catalog.port';
import type { Lifecycle } from '../lifecycle';
import { startPeriodic, type PeriodicTask } from '../periodic-task';
import type { SqlDatabase } from '../../application/ports/sql-database.port';
import type { TableReader } from '../../application/ports/table-reader.port';
import { GetProjectContract } from '../../application/database/reads/get-project-contract';
import { GetUserContract } from '../../application/database/reads/get-user-contract';
import { ReadCache } from '../../application/database/reads/read-cache';
import { ReadRedisKeys } from '../../application/database/reads/read-redis-keys';
import { RunQuery } from '../../application/database/reads/run-query';
import type { RouteBuilder } from '../../adapters/http/route-builder';
import { contractsRoutes } from '../../adapters/http/routes/contracts.routes';
import { dataQueryRoutes } from '../../adapters/http/routes/data-query.routes';
import { InMemoryQueryCache } from '../../adapters/in-memory/fallbacks/in-memory-query-cache';
import type { PrometheusMetrics } from '../../adapters/metrics/prometheus-metrics';
import { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import { PgTableReader } from '../../adapters/postgres/pg-table-reader';
import { RedisQueryCache } from '../../adapters/redis/redis-query-cache';
import type { Config } from '../config';
import type { Bind, Get } from '../container';
import { TOKENS } from '../tokens';

/**
 * The gateway's read path: scoped selects, the read cache (and the CacheInvalidator writes call),
 * Redis key reads, contract reads. Leases and the outbox's pending invalidations are optional
 * collaborators, used when their features bind them.
 */
export function bindDataReads(container: Container, bind: Bind, get: Get): void {
  const optional = <T>(token: symbol): T | null => (container.isBound(token) ? get<T>(token) : null);

  bind<QueryCache>(TOKENS.QueryCache, () => {
    const redis = get<Redis | null>(TOKENS.RedisClient);
    return redis ? new RedisQueryCache(redis) : new InMemoryQueryCache(get<Clock>(TOKENS.Clock));
  });
  bind<TableReader>(TOKENS.TableReader, () => {
    const db = get<SqlDatabase>(TOKENS.SqlDatabase);
    if (!(db instanceof PgSqlDatabase)) throw new Error('Table reads need the PostgreSQL adapter (PgSqlDatabase) bound to SqlDatabase');
    return new PgTableReader(db);
  });
  bind<ReadCache>(TOKENS.ReadCache, () =>
    new ReadCache(
      get<QueryCache>(TOKENS.QueryCache),
      get<PrometheusMetrics>(TOKENS.Metrics),
      optional<PendingInvalidations>(TOKENS.PendingInvalidations),
      get<Logger>(TOKENS.Logger),
      { ttlSeconds: get<Config>(TOKENS.Config).queryCache.ttlSeconds },
    ),
  );
  bind<CacheInvalidator>(TOKENS.CacheInvalidator, () => get<ReadCache>(TOKENS.ReadCache));

  const catalog = () => get<SchemaCatalog>(TOKENS.SchemaCatalog);
  const reader = () => get<TableReader>(TOKENS.TableReader);
  const cache = () => get<ReadCache>(TOKENS.ReadCache);
  bind<RunQuery>(TOKENS.RunQuery, () => new RunQuery(catalog(), reader(), cache(), optional<LeaseSessions>(TOKENS.LeaseSessions)));
  bind<ReadRedisKeys>(TOKENS.ReadRedisKeys, () => new ReadRedisKeys(get<KeyValueStore>(TOKENS.KeyValueStore)));
  bind<GetUserContract>(TOKENS.GetUserContract, () => new GetUserContract(catalog(), reader(), cache()));
  bind<GetProjectContract>(TOKENS.GetProjectContract, () => new GetProjectContract(catalog(), reader(), cache()));
  // Migrations refresh the catalog of the instance that ran them; every other instance (and any DDL
  // run by hand) is caught up by this periodic re-read.
  bind<PeriodicTask>(TOKENS.SchemaRefresh, () => {
    const task = startPeriodic('schema catalog refresh', get<Config>(TOKENS.Config).schemaRefreshIntervalMs, () => catalog().refresh(), get<Logger>(TOKENS.Logger));
    get<Lifecycle>(TOKENS.Lifecycle).onClose('schema catalog refresh', () => task.stop());
    return task;
  });
}

export function mountDataReadRoutes(routes: RouteBuilder, get: Get): void {
  get<PeriodicTask>(TOKENS.SchemaRefresh);
  dataQueryRoutes(routes, { runQuery: get<RunQuery>(TOKENS.RunQuery), readRedisKeys: get<ReadRedisKeys>(TOKENS.ReadRedisKeys) });
  contractsRoutes(routes, { getUser: get<GetUserContract>(TOKENS.GetUserContract), getProject: get<GetProjectContract>(TOKENS.GetProjectContract) });
}
