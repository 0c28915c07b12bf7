import type { CacheInvalidator } from '../../application/ports/cache-invalidator.port';
import type { Clock } from '../../application/ports/clock.port';
import type { LeaseSessions } from '../../application/ports/lease-sessions.port';
import type { Logger } from '../../application/ports/logger.port';
import type { KeyValueStore } from '../../application/ports/key-value-store.port';
import type { PendingInvalidations } from '../../application/ports/pending-invalidations.port';
import type { QueryCache } from '../../application/ports/query-cache.port';
import type { SchemaCatalog } from '../../application/ports/schema-catalog.port';
import type { TableReader } from '../../application/ports/table-reader.port';
import { GetProjectContract } from '../../application/database/reads/get-project-contract';
import { GetUserContract } from '../../application/database/reads/get-user-contract';
import { ReadCache } from '../../application/database/reads/read-cache';
import { ReadRedisKeys } from '../../application/database/reads/read-redis-keys';
import { RunQuery } from '../../application/database/reads/run-query';
import { contractsRoutes } from '../../adapters/http/routes/contracts.routes';
import { dataQueryRoutes } from '../../adapters/http/routes/data-query.routes';
import { InMemoryQueryCache } from '../../adapters/in-memory/fallbacks/in-memory-query-cache';
import type { PrometheusMetrics } from '../../adapters/metrics/prometheus-metrics';
import type { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import { PgPreparedStatements } from '../../adapters/postgres/pg-prepared-statements';
import { PgTableReader } from '../../adapters/postgres/pg-table-reader';
import { RedisQueryCache } from '../../adapters/redis/redis-query-cache';
import type { BackgroundTask, Capability } from '../background-task';
import type { Bind } from '../binder';
import type { Config } from '../config';
import { periodicTask } from '../periodic-task';
import { TOKENS } from '../tokens';
import type { KeyValueBackend } from './key-value.bindings';
import { readerWithEncryption, type ColumnEncryption } from './column-encryption.bindings';

/**
 * The gateway's read path: scoped selects, the read cache (and the CacheInvalidator writes call),
 * Redis key reads, contract reads, and the periodic re-read of the schema catalog.
 */
export function bindDataReads(bind: Bind): void {
  bind(
    TOKENS.QueryCache,
    (backend: KeyValueBackend, clock: Clock): QueryCache => (backend.kind === 'redis' ? new RedisQueryCache(backend.client) : new InMemoryQueryCache(clock)),
    [TOKENS.KeyValueBackend, TOKENS.Clock],
  );
  bind(
    TOKENS.TableReader,
    (db: PgSqlDatabase, encryption: ColumnEncryption, config: Config): TableReader =>
      readerWithEncryption(new PgTableReader(db, new PgPreparedStatements(config.preparedStatements ? undefined : 0)), encryption),
    [TOKENS.PgSqlDatabase, TOKENS.ColumnEncryption, TOKENS.Config],
  );
  bind(
    TOKENS.ReadCache,
    (config: Config, cache: QueryCache, metrics: PrometheusMetrics, pending: PendingInvalidations, logger: Logger) =>
      new ReadCache(cache, metrics, pending, logger, { ttlSeconds: config.queryCache.ttlSeconds }),
    [TOKENS.Config, TOKENS.QueryCache, TOKENS.Metrics, TOKENS.PendingInvalidations, TOKENS.Logger],
  );
  bind(TOKENS.CacheInvalidator, (cache: ReadCache): CacheInvalidator => cache, [TOKENS.ReadCache]);

  bind(
    TOKENS.RunQuery,
    (catalog: SchemaCatalog, reader: TableReader, cache: ReadCache, leases: LeaseSessions) => new RunQuery(catalog, reader, cache, leases),
    [TOKENS.SchemaCatalog, TOKENS.TableReader, TOKENS.ReadCache, TOKENS.LeaseSessions],
  );
  bind(TOKENS.ReadRedisKeys, (store: KeyValueStore) => new ReadRedisKeys(store), [TOKENS.KeyValueStore]);
  bind(
    TOKENS.GetUserContract,
    (catalog: SchemaCatalog, reader: TableReader, cache: ReadCache) => new GetUserContract(catalog, reader, cache),
    [TOKENS.SchemaCatalog, TOKENS.TableReader, TOKENS.ReadCache],
  );
  bind(
    TOKENS.GetProjectContract,
    (catalog: SchemaCatalog, reader: TableReader, cache: ReadCache) => new GetProjectContract(catalog, reader, cache),
    [TOKENS.SchemaCatalog, TOKENS.TableReader, TOKENS.ReadCache],
  );
  // Migrations refresh the catalog of the instance that ran them; every other instance (and any DDL
  // run by hand) is caught up by this periodic re-read.
  bind(
    TOKENS.SchemaRefresh,
    (config: Config, catalog: SchemaCatalog, logger: Logger): BackgroundTask => periodicTask('schema catalog refresh', config.schemaRefreshIntervalMs, () => catalog.refresh(), logger),
    [TOKENS.Config, TOKENS.SchemaCatalog, TOKENS.Logger],
  );

  bind(
    TOKENS.DataReadsModule,
    (runQuery: RunQuery, readRedisKeys: ReadRedisKeys, getUser: GetUserContract, getProject: GetProjectContract, refresh: BackgroundTask): Capability => ({
      mountRoutes(routes) {
        dataQueryRoutes(routes, { runQuery, readRedisKeys });
        contractsRoutes(routes, { getUser, getProject });
      },
      tasks: [refresh],
    }),
    [TOKENS.RunQuery, TOKENS.ReadRedisKeys, TOKENS.GetUserContract, TOKENS.GetProjectContract, TOKENS.SchemaRefresh],
  );
}
