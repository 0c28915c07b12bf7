import type { Clock } from '../../application/ports/clock.port';
import type { Logger } from '../../application/ports/logger.port';
import type { ObjectReferences } from '../../application/ports/object-references.port';
import type { ObjectStore } from '../../application/ports/object-store.port';
import { SweepOrphans, type SweptStore } from '../../application/storage/sweep/sweep-orphans';
import { orphanSweepCounter } from '../../adapters/metrics/orphan-metrics';
import type { PrometheusMetrics } from '../../adapters/metrics/prometheus-metrics';
import { PgObjectReferences } from '../../adapters/postgres/pg-object-references';
import type { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import type { Capability } from '../background-task';
import type { Bind } from '../binder';
import type { Config } from '../config';
import { periodicTask } from '../periodic-task';
import { TOKENS } from '../tokens';
import type { StoreAdapter } from './object-store.bindings';

/**
 * The orphan sweep (issue 13): every ORPHAN_SWEEP_INTERVAL_MS (0: never), in one process at a time,
 * removes from the configured stores what no row and no live upload session refers to and that is
 * older than ORPHAN_GRACE_MS; counted in orphan_objects_removed_total{kind}. No routes.
 */
export function bindOrphanSweep(bind: Bind): void {
  bind(TOKENS.ObjectReferences, (db: PgSqlDatabase): ObjectReferences => new PgObjectReferences(db), [TOKENS.PgSqlDatabase]);
  bind(
    TOKENS.OrphanSweepTargets,
    (primary: ObjectStore, backup: ObjectStore | null, primaryAdapter: StoreAdapter, backupAdapter: StoreAdapter | null): SweptStore[] => {
      const targets: SweptStore[] = [];
      // A store a test swapped in is the test's: only the configured adapters are walked (a test names its own targets).
      if (primaryAdapter.store === primary) targets.push({ role: 'primary', store: primaryAdapter.store, objects: primaryAdapter.store, leftovers: primaryAdapter.store });
      if (backup && backupAdapter?.store === backup) targets.push({ role: 'backup', store: backupAdapter.store, objects: backupAdapter.store, leftovers: backupAdapter.store });
      return targets;
    },
    [TOKENS.ObjectStore, TOKENS.BackupObjectStore, TOKENS.PrimaryObjectStore, TOKENS.BackupStoreAdapter],
  );
  bind(
    TOKENS.SweepOrphans,
    (config: Config, targets: SweptStore[], references: ObjectReferences, clock: Clock, logger: Logger, metrics: PrometheusMetrics) =>
      new SweepOrphans(targets, references, clock, logger, { graceMs: config.orphans.graceMs }, orphanSweepCounter(metrics.registry)),
    [TOKENS.Config, TOKENS.OrphanSweepTargets, TOKENS.ObjectReferences, TOKENS.Clock, TOKENS.Logger, TOKENS.Metrics],
  );
  bind(
    TOKENS.OrphanSweepModule,
    (config: Config, sweep: SweepOrphans, logger: Logger): Capability => ({
      mountRoutes() {},
      tasks: config.orphans.sweepIntervalMs > 0 ? [periodicTask('orphan-sweeper', config.orphans.sweepIntervalMs, () => sweep.execute(), logger, { exclusive: true })] : [],
    }),
    [TOKENS.Config, TOKENS.SweepOrphans, TOKENS.Logger],
  );
}
