import type { AuditTrail } from '../../application/ports/audit-trail.port';
import type { Clock } from '../../application/ports/clock.port';
import type { PostCommit } from '../../application/ports/commit-effects.port';
import type { ConnectionPools } from '../../application/ports/connection-pools.port';
import type { LeaseSessions } from '../../application/ports/lease-sessions.port';
import type { Logger } from '../../application/ports/logger.port';
import { AcquireLease } from '../../application/database/leases/acquire-lease';
import { BeginLeaseTransaction } from '../../application/database/leases/begin-lease-transaction';
import { CommitLeaseTransaction } from '../../application/database/leases/commit-lease-transaction';
import { LeaseRegistry } from '../../application/database/leases/lease-registry';
import { RegistryLeaseSessions } from '../../application/database/leases/lease-sessions';
import { ReapLeases } from '../../application/database/leases/reap-leases';
import { ReleaseLease } from '../../application/database/leases/release-lease';
import { RollbackLeaseTransaction } from '../../application/database/leases/rollback-lease-transaction';
import { connectionsRoutes } from '../../adapters/http/routes/connections.routes';
import { registerLeaseGauge } from '../../adapters/metrics/lease-metrics';
import type { PrometheusMetrics } from '../../adapters/metrics/prometheus-metrics';
import { PgConnectionPools } from '../../adapters/postgres/pg-connection-pools';
import { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import type { ServiceQueryTimings } from '../../adapters/in-process/service-query-timings';
import type { BackgroundTask, Capability } from '../background-task';
import type { Bind } from '../binder';
import type { Config } from '../config';
import type { Lifecycle } from '../lifecycle';
import { periodicTask } from '../periodic-task';
import { TOKENS } from '../tokens';

/** Connection leases: the read pool, the pools leases draw from, the registry and its reaper, the use cases. */
export function bindLeases(bind: Bind): void {
  // The replica's pool, when DATABASE_READ_URL names one.
  bind(
    TOKENS.ReplicaPgSqlDatabase,
    (config: Config, logger: Logger, lifecycle: Lifecycle, timings: ServiceQueryTimings): PgSqlDatabase | null => {
      if (!config.databaseReadUrl) return null;
      const db = new PgSqlDatabase({ connectionString: config.databaseReadUrl, ...config.pool, applicationName: config.serviceName }, logger, timings);
      lifecycle.onClose('postgresql read pool', () => db.close());
      return db;
    },
    [TOKENS.Config, TOKENS.Logger, TOKENS.Lifecycle, TOKENS.ServiceQueryTimings],
  );

  bind(
    TOKENS.ConnectionPools,
    (config: Config, primary: PgSqlDatabase, replica: PgSqlDatabase | null): ConnectionPools =>
      new PgConnectionPools({ db: primary, url: config.databaseUrl ?? '' }, replica && config.databaseReadUrl ? { db: replica, url: config.databaseReadUrl } : null),
    [TOKENS.Config, TOKENS.PgSqlDatabase, TOKENS.ReplicaPgSqlDatabase],
  );

  bind(
    TOKENS.LeaseRegistry,
    // The pools are resolved first so that they close after the leases holding their clients.
    (config: Config, clock: Clock, logger: Logger, metrics: PrometheusMetrics, lifecycle: Lifecycle, _pools: ConnectionPools) => {
      const leases = new LeaseRegistry(config.instanceId, clock, { idleTimeoutSeconds: config.leases.idleTimeoutSeconds, maxPerCaller: config.leases.maxPerCaller });
      const reap = new ReapLeases(leases, clock, logger);
      lifecycle.onClose('connection leases', async () => void (await reap.releaseAll()));
      registerLeaseGauge(metrics.registry, () => leases.countByOperation());
      return leases;
    },
    [TOKENS.Config, TOKENS.Clock, TOKENS.Logger, TOKENS.Metrics, TOKENS.Lifecycle, TOKENS.ConnectionPools],
  );
  bind(TOKENS.ReapLeases, (registry: LeaseRegistry, clock: Clock, logger: Logger) => new ReapLeases(registry, clock, logger), [TOKENS.LeaseRegistry, TOKENS.Clock, TOKENS.Logger]);
  bind(
    TOKENS.LeaseReaper,
    (config: Config, reap: ReapLeases, logger: Logger): BackgroundTask => periodicTask('lease reaper', config.leases.reapIntervalMs, () => reap.execute(), logger),
    [TOKENS.Config, TOKENS.ReapLeases, TOKENS.Logger],
  );

  bind(
    TOKENS.AcquireLease,
    (config: Config, registry: LeaseRegistry, pools: ConnectionPools, clock: Clock) => new AcquireLease(registry, pools, clock, config.leases),
    [TOKENS.Config, TOKENS.LeaseRegistry, TOKENS.ConnectionPools, TOKENS.Clock],
  );
  bind(TOKENS.ReleaseLease, (registry: LeaseRegistry, clock: Clock) => new ReleaseLease(registry, clock), [TOKENS.LeaseRegistry, TOKENS.Clock]);
  bind(TOKENS.BeginLeaseTransaction, (registry: LeaseRegistry) => new BeginLeaseTransaction(registry), [TOKENS.LeaseRegistry]);
  bind(
    TOKENS.CommitLeaseTransaction,
    (registry: LeaseRegistry, postCommit: PostCommit, logger: Logger, audit: AuditTrail) => new CommitLeaseTransaction(registry, postCommit, logger, audit),
    [TOKENS.LeaseRegistry, TOKENS.PostCommit, TOKENS.Logger, TOKENS.AuditTrail],
  );
  bind(TOKENS.RollbackLeaseTransaction, (registry: LeaseRegistry) => new RollbackLeaseTransaction(registry), [TOKENS.LeaseRegistry]);
  bind(
    TOKENS.LeaseSessions,
    (registry: LeaseRegistry, postCommit: PostCommit, logger: Logger): LeaseSessions => new RegistryLeaseSessions(registry, postCommit, logger),
    [TOKENS.LeaseRegistry, TOKENS.PostCommit, TOKENS.Logger],
  );

  bind(
    TOKENS.LeasesModule,
    (acquire: AcquireLease, release: ReleaseLease, begin: BeginLeaseTransaction, commit: CommitLeaseTransaction, rollback: RollbackLeaseTransaction, reaper: BackgroundTask): Capability => ({
      mountRoutes(routes) {
        connectionsRoutes(routes, { acquire, release, begin, commit, rollback });
      },
      tasks: [reaper],
    }),
    [TOKENS.AcquireLease, TOKENS.ReleaseLease, TOKENS.BeginLeaseTransaction, TOKENS.CommitLeaseTransaction, TOKENS.RollbackLeaseTransaction, TOKENS.LeaseReaper],
  );
}
