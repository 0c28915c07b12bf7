import type { BackupHistory } from '../../application/ports/backup-history.port';
import type { BackupRepository } from '../../application/ports/backup-repository.port';
import type { Clock } from '../../application/ports/clock.port';
import type { DatabaseStatusReader } from '../../application/ports/database-status.port';
import type { Logger } from '../../application/ports/logger.port';
import type { SqlDatabase } from '../../application/ports/sql-database.port';
import type { LeaseRegistry } from '../../application/database/leases/lease-registry';
import { GetDatabaseStatus } from '../../application/database/ops/get-database-status';
import { dbStatusRoutes } from '../../adapters/http/routes/db-status.routes';
import { PgBackupHistory } from '../../adapters/postgres/pg-backup-history';
import { ServiceQueryTimings } from '../../adapters/in-process/service-query-timings';
import { registerSlowQueryHistogram } from '../../adapters/metrics/query-metrics';
import type { PrometheusMetrics } from '../../adapters/metrics/prometheus-metrics';
import { PgDatabaseStatusReader } from '../../adapters/postgres/pg-database-status-reader';
import type { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import type { Capability } from '../background-task';
import type { Bind } from '../binder';
import type { Config } from '../config';
import { TOKENS } from '../tokens';

/** Slow queries above this many rows or bytes, read mostly by sequential scans, get index advice. */
const INDEX_ADVICE = { minRows: 10_000, minBytes: 8 * 1024 * 1024 };
const SLOW_QUERY_LIMIT = 20;

/**
 * Database operations: the statement timings every pg pool reports to (bound here, used by the pools
 * in container.ts and leases.bindings.ts), GET /db/status and its readers.
 */
export function bindDbOps(bind: Bind): void {
  bind(
    TOKENS.ServiceQueryTimings,
    (config: Config, logger: Logger) => new ServiceQueryTimings({ slowQueryMs: config.slowQueryMs }, logger),
    [TOKENS.Config, TOKENS.Logger],
  );
  bind(
    TOKENS.DatabaseStatusReader,
    (config: Config, db: PgSqlDatabase): DatabaseStatusReader => new PgDatabaseStatusReader(db, config.healthCheckTimeoutMs),
    [TOKENS.Config, TOKENS.PgSqlDatabase],
  );
  // The last completed backup, from the backups capability's table.
  bind(TOKENS.BackupHistory, (backups: BackupRepository): BackupHistory => new PgBackupHistory(backups), [TOKENS.BackupRepository]);
  bind(
    TOKENS.GetDatabaseStatus,
    (
      config: Config,
      reader: DatabaseStatusReader,
      timings: ServiceQueryTimings,
      backups: BackupHistory,
      primary: SqlDatabase,
      replica: PgSqlDatabase | null,
      leases: LeaseRegistry,
      clock: Clock,
      logger: Logger,
    ) =>
      new GetDatabaseStatus(reader, timings, backups, { primary, replica }, leases, clock, logger, {
        partTimeoutMs: config.healthCheckTimeoutMs,
        slowQueryLimit: SLOW_QUERY_LIMIT,
        indexAdvice: INDEX_ADVICE,
      }),
    [
      TOKENS.Config,
      TOKENS.DatabaseStatusReader,
      TOKENS.ServiceQueryTimings,
      TOKENS.BackupHistory,
      TOKENS.SqlDatabase,
      TOKENS.ReplicaPgSqlDatabase,
      TOKENS.LeaseRegistry,
      TOKENS.Clock,
      TOKENS.Logger,
    ],
  );

  bind(
    TOKENS.DbOpsModule,
    (metrics: PrometheusMetrics, timings: ServiceQueryTimings, getStatus: GetDatabaseStatus): Capability => {
      // Registered here, not with the timings: the metrics read the pool, whose clients report to the timings.
      registerSlowQueryHistogram(metrics.registry, (listener) => timings.onSlowQuery(listener));
      return {
        mountRoutes(routes) {
          dbStatusRoutes(routes, { getStatus });
          // Further /api/v1/db/… endpoints (restricted SQL) mount here.
        },
        tasks: [],
      };
    },
    [TOKENS.Metrics, TOKENS.ServiceQueryTimings, TOKENS.GetDatabaseStatus],
  );
}
