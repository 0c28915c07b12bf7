import { PrometheusMetrics } from '../../src/adapters/metrics/prometheus-metrics';
import type { SqlDatabase } from '../../src/application/ports/sql-database.port';
import { cacheObserverContract } from '../contract/cache-observer.contract';
import { sampleValue } from '../support/prometheus-text';

/** The pool gauges read the pool on every scrape; these tests need one that answers. */
const idlePool: SqlDatabase = {
  ping: async () => undefined,
  poolStats: () => ({ active: 0, idle: 0, waiting: 0, total: 0, max: 1 }),
  close: async () => undefined,
};

cacheObserverContract('PrometheusMetrics', () => {
  const metrics = new PrometheusMetrics('contract-test', idlePool);
  return {
    observer: metrics,
    counts: async (cache) => {
      const text = await metrics.render();
      return { hits: sampleValue(text, 'cache_hits_total', { cache }) ?? 0, misses: sampleValue(text, 'cache_misses_total', { cache }) ?? 0 };
    },
  };
});
