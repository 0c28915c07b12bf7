import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CacheObserver } from '../../application/ports/cache-observer.port';
import type { SqlDatabase } from '../../application/ports/sql-database.port';
import type { RequestObserver } from '../http/middleware/request-logger';

/**
 * The service's own prom-client registry (not the global one, so several apps in one process, as in
 * tests, never collide): default process metrics, HTTP durations, pool gauges, cache outcomes.
 */
export class PrometheusMetrics implements RequestObserver, CacheObserver {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  private readonly cacheHits: Counter<'cache'>;
  private readonly cacheMisses: Counter<'cache'>;

  /**
   * `worker`: this process's slot among cluster workers (WORKERS above 1). The process's own figures
   * (CPU, memory, event loop, heap) then carry a `worker` label, so the primary's aggregation keeps
   * them apart, while the service's counters and histograms add up across workers.
   */
  constructor(serviceName: string, db: SqlDatabase, options: { worker?: number | null } = {}) {
    this.registry.setDefaultLabels({ service: serviceName });
    const worker = options.worker ?? null;
    collectDefaultMetrics({ register: this.registry, ...(worker === null ? {} : { labels: { worker: String(worker) } }) });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route template, method and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.cacheHits = new Counter({ name: 'cache_hits_total', help: 'Read-cache hits', labelNames: ['cache'], registers: [this.registry] });
    this.cacheMisses = new Counter({ name: 'cache_misses_total', help: 'Read-cache misses', labelNames: ['cache'], registers: [this.registry] });
    const poolGauge = (name: string, help: string, pick: (s: ReturnType<SqlDatabase['poolStats']>) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(pick(db.poolStats()));
        },
      });
    poolGauge('db_pool_active_connections', 'PostgreSQL clients checked out', (s) => s.active);
    poolGauge('db_pool_idle_connections', 'PostgreSQL clients idle in the pool', (s) => s.idle);
    poolGauge('db_pool_waiting_requests', 'Callers waiting for a PostgreSQL client', (s) => s.waiting);
    poolGauge('db_pool_max_connections', 'Configured PostgreSQL pool size', (s) => s.max);
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status_code: String(status) }, seconds);
  }

  hit(cache: string): void {
    this.cacheHits.inc({ cache });
  }

  miss(cache: string): void {
    this.cacheMisses.inc({ cache });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
