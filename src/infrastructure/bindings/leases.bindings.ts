import type { Container } from 'inversify';
import type { Clock } from '../../application/ports/clock.port';
import type { PostCommit } from '../../application/ports/commit-effects.port';
import type { ConnectionPools } from '../../application/ports/connection-pools.port';
import type { LeaseSessions } from '../../application/ports/lease-sessions.port';
import type { Logger } from '../../application/ports/logger.port';
import type { SqlDatabase } from '../../application/ports/sql-database.port';
import { AcquireLease } from '../../application/database/leases/acquire-lease';
import { BeginLeaseTransaction } from '../../application/database/leases/begin-lease-transaction';
import { CommitLeaseTransaction } from '../../application/database/leases/commit-lease-transaction';
import { LeaseRegistry } from '../../application/database/leases/lease-registry';
import { RegistryLeaseSessions } from '../../application/database/leases/lease-sessions';
import { ReapLeases } from '../../application/database/leases/reap-leases';
import { ReleaseLease } from '../../application/database/leases/release-lease';
import { RollbackLeaseTransaction } from '../../application/database/leases/rollback-lease-transaction';
import type { RouteBuilder } from '../../adapters/http/route-builder';
import { connectionsRoutes } from '../../adapters/http/routes/connections.routes';
import { registerLeaseGauge } from '../../adapters/metrics/lease-metrics';
import { PrometheusMetrics } from '../../adapters/metrics/prometheus-metrics';
import { PgConnectionPools } from '../../adapters/postgres/pg-connection-pools';
import { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import type { Config } from '../config';
import type { Bind, Get } from '../container';
import type { Lifecycle } from '../lifecycle';
import { startPeriodic } from '../periodic-task';
import { TOKENS } from '../tokens';

/** Until the transactions vertical binds PostCommit, nothing defers effects, so there is nothing to apply. */
const NOTHING_TO_APPLY: PostCommit = { apply: async () => ({ redisApplied: true }) };

/** Connection leases: the read pool, the pools leases draw from, the registry and its reaper, the use cases. */
export function bindLeases(container: Container, bind: Bind, get: Get): void {
  const config = () => get<Config>(TOKENS.Config);
  const logger = () => get<Logger>(TOKENS.Logger);
  const clock = () => get<Clock>(TOKENS.Clock);
  const registry = () => get<LeaseRegistry>(TOKENS.LeaseRegistry);
  // Looked up when first needed, after every vertical has bound its tokens.
  const postCommit = () => (container.isBound(TOKENS.PostCommit) ? get<PostCommit>(TOKENS.PostCommit) : NOTHING_TO_APPLY);

  bind<SqlDatabase>(TOKENS.ReadSqlDatabase, () => {
    const c = config();
    if (!c.databaseReadUrl) return get<SqlDatabase>(TOKENS.SqlDatabase);
    const db = new PgSqlDatabase({ connectionString: c.databaseReadUrl, ...c.pool, applicationName: c.serviceName }, logger());
    get<Lifecycle>(TOKENS.Lifecycle).onClose('postgresql read pool', () => db.close());
    return db;
  });

  bind<ConnectionPools>(TOKENS.ConnectionPools, () => {
    const c = config();
    const primary = { db: pgDatabase(get<SqlDatabase>(TOKENS.SqlDatabase)), url: c.databaseUrl ?? '' };
    const replica = c.databaseReadUrl ? { db: pgDatabase(get<SqlDatabase>(TOKENS.ReadSqlDatabase)), url: c.databaseReadUrl } : null;
    return new PgConnectionPools(primary, replica);
  });

  bind<LeaseRegistry>(TOKENS.LeaseRegistry, () => {
    const c = config();
    // The pools are resolved first so that they close after the leases holding their clients.
    get<ConnectionPools>(TOKENS.ConnectionPools);
    const leases = new LeaseRegistry(c.instanceId, clock(), { idleTimeoutSeconds: c.leases.idleTimeoutSeconds, maxPerCaller: c.leases.maxPerCaller });
    const reap = new ReapLeases(leases, clock(), logger());
    const reaper = startPeriodic('lease reaper', c.leases.reapIntervalMs, () => reap.execute(), logger());
    get<Lifecycle>(TOKENS.Lifecycle).onClose('connection leases', async () => {
      await reaper.stop();
      await reap.releaseAll();
    });
    const metrics = get<unknown>(TOKENS.Metrics);
    if (metrics instanceof PrometheusMetrics) registerLeaseGauge(metrics.registry, () => leases.countByOperation());
    return leases;
  });

  bind<ReapLeases>(TOKENS.ReapLeases, () => new ReapLeases(registry(), clock(), logger()));
  bind<AcquireLease>(TOKENS.AcquireLease, () => new AcquireLease(registry(), get<ConnectionPools>(TOKENS.ConnectionPools), clock(), config().leases));
  bind<ReleaseLease>(TOKENS.ReleaseLease, () => new ReleaseLease(registry(), clock()));
  bind<BeginLeaseTransaction>(TOKENS.BeginLeaseTransaction, () => new BeginLeaseTransaction(registry()));
  bind<CommitLeaseTransaction>(TOKENS.CommitLeaseTransaction, () => new CommitLeaseTransaction(registry(), postCommit(), logger()));
  bind<RollbackLeaseTransaction>(TOKENS.RollbackLeaseTransaction, () => new RollbackLeaseTransaction(registry()));
  bind<LeaseSessions>(TOKENS.LeaseSessions, () => new RegistryLeaseSessions(registry(), postCommit(), logger()));
}

export function mountLeaseRoutes(routes: RouteBuilder, get: Get): void {
  connectionsRoutes(routes, {
    acquire: get<AcquireLease>(TOKENS.AcquireLease),
    release: get<ReleaseLease>(TOKENS.ReleaseLease),
    begin: get<BeginLeaseTransaction>(TOKENS.BeginLeaseTransaction),
    commit: get<CommitLeaseTransaction>(TOKENS.CommitLeaseTransaction),
    rollback: get<RollbackLeaseTransaction>(TOKENS.RollbackLeaseTransaction),
  });
}

/** Leases need dedicated pg clients, which only the pg adapter hands out. */
function pgDatabase(db: SqlDatabase): PgSqlDatabase {
  if (!(db instanceof PgSqlDatabase)) throw new Error('Connection leases need the PostgreSQL adapter (PgSqlDatabase) bound to SqlDatabase');
  return db;
}
