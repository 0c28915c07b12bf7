import { Histogram, type Registry } from 'prom-client';
import type { SlowQuery } from '../in-process/service-query-timings';

/**
 * `db_slow_query_duration_seconds{table,kind}`: statements over SLOW_QUERY_MS (its `_count` is the
 * number of slow queries). Only slow ones are observed, so fast statements cost the metric nothing;
 * the labels are bounded by the schema's tables and five kinds.
 */
export function registerSlowQueryHistogram(registry: Registry, subscribe: (listener: (slow: SlowQuery) => void) => void): void {
  const histogram = new Histogram({
    name: 'db_slow_query_duration_seconds',
    help: 'Duration of statements over SLOW_QUERY_MS, by main table and kind (select/insert/update/delete/other)',
    labelNames: ['table', 'kind'],
    buckets: [0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [registry],
  });
  subscribe((slow) => histogram.observe({ table: slow.table, kind: slow.kind }, slow.durationMs / 1000));
}
