/**
 * A JSON summary of the service's own Prometheus exposition (GET /api/v1/admin/metrics/summary):
 * it reads the same text GET /metrics serves (every worker's, aggregated, under WORKERS > 1), so the
 * console's charts and Prometheus never disagree. Rates and percentiles are over the window since the
 * previous summary this process computed (the console polls every few seconds); the first call has
 * no window and reports totals only.
 */
export interface MetricsSnapshot {
  at: number;
  requests: Record<StatusClass, number>;
  /** Cumulative histogram buckets of every request (upper bound in seconds → count). */
  buckets: Map<number, number>;
  cacheHits: number;
  cacheMisses: number;
  pool: { active: number; idle: number; waiting: number; max: number };
  leasesOpen: number;
  jobs: { queued: number; processing: number };
}

export const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]])) as Record<string, string>;
    const value = Number(match[3]);
    if (Number.isFinite(value) || match[3] === '+Inf') samples.push({ name: match[1] as string, labels, value });
  }
  return samples;
}

const classOf = (status: string | undefined): StatusClass | null => {
  const first = status?.[0];
  return first === '2' || first === '3' || first === '4' || first === '5' ? (`${first}xx` as StatusClass) : null;
};

export function snapshotOf(text: string, at: number): MetricsSnapshot {
  const snapshot: MetricsSnapshot = {
    at,
    requests: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
    buckets: new Map(),
    cacheHits: 0,
    cacheMisses: 0,
    pool: { active: 0, idle: 0, waiting: 0, max: 0 },
    leasesOpen: 0,
    jobs: { queued: 0, processing: 0 },
  };
  for (const { name, labels, value } of parsePrometheusText(text)) {
    switch (name) {
      case 'http_request_duration_seconds_count': {
        const cls = classOf(labels['status_code']);
        if (cls) snapshot.requests[cls] += value;
        break;
      }
      case 'http_request_duration_seconds_bucket': {
        const le = labels['le'] === '+Inf' ? Infinity : Number(labels['le']);
        snapshot.buckets.set(le, (snapshot.buckets.get(le) ?? 0) + value);
        break;
      }
      case 'cache_hits_total':
        snapshot.cacheHits += value;
        break;
      case 'cache_misses_total':
        snapshot.cacheMisses += value;
        break;
      case 'db_pool_active_connections':
        snapshot.pool.active += value;
        break;
      case 'db_pool_idle_connections':
        snapshot.pool.idle += value;
        break;
      case 'db_pool_waiting_requests':
        snapshot.pool.waiting += value;
        break;
      case 'db_pool_max_connections':
        snapshot.pool.max += value;
        break;
      case 'db_leases_open':
        snapshot.leasesOpen += value;
        break;
      case 'transformation_jobs':
        if (labels['status'] === 'queued') snapshot.jobs.queued += value;
        if (labels['status'] === 'processing') snapshot.jobs.processing += value;
        break;
    }
  }
  return snapshot;
}

/** histogram_quantile over cumulative buckets, interpolating linearly inside the bucket (in seconds). */
export function quantile(q: number, buckets: Map<number, number>): number | null {
  const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let previousBound = 0;
  let previousCount = 0;
  for (const [bound, count] of sorted) {
    if (count >= rank) {
      // Beyond the last finite bound nothing better than that bound can be said.
      if (bound === Infinity) return previousBound;
      const inBucket = count - previousCount;
      return inBucket <= 0 ? bound : previousBound + ((bound - previousBound) * (rank - previousCount)) / inBucket;
    }
    previousBound = bound;
    previousCount = count;
  }
  return previousBound;
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The wire body (snake_case): totals, and rates over the window since `previous` when there is one. */
export function summarize(current: MetricsSnapshot, previous: MetricsSnapshot | null) {
  const seconds = previous ? (current.at - previous.at) / 1000 : 0;
  const windowed = previous !== null && seconds > 0;
  const total = (s: MetricsSnapshot) => STATUS_CLASSES.reduce((sum, cls) => sum + s.requests[cls], 0);
  // A counter that went down (a restarted worker) makes no sense as a delta: the window starts over.
  const delta = (now: number, before: number | undefined) => Math.max(0, now - (before ?? 0));
  const inWindow = Object.fromEntries(STATUS_CLASSES.map((cls) => [cls, windowed ? delta(current.requests[cls], previous?.requests[cls]) : current.requests[cls]])) as Record<StatusClass, number>;
  const windowTotal = STATUS_CLASSES.reduce((sum, cls) => sum + inWindow[cls], 0);
  const windowBuckets = new Map([...current.buckets].map(([le, n]) => [le, windowed ? delta(n, previous?.buckets.get(le)) : n]));
  const ms = (s: number | null) => (s === null ? null : round(s * 1000, 2));
  const hits = windowed ? delta(current.cacheHits, previous?.cacheHits) : current.cacheHits;
  const misses = windowed ? delta(current.cacheMisses, previous?.cacheMisses) : current.cacheMisses;
  return {
    timestamp: new Date(current.at).toISOString(),
    window_seconds: windowed ? round(seconds) : null,
    requests: {
      total: total(current),
      per_second: windowed ? round(windowTotal / seconds) : null,
      by_status_class: Object.fromEntries(
        STATUS_CLASSES.map((cls) => [cls, { total: current.requests[cls], per_second: windowed ? round(inWindow[cls] / seconds) : null }]),
      ) as Record<StatusClass, { total: number; per_second: number | null }>,
      error_ratio: windowTotal > 0 ? round((inWindow['4xx'] + inWindow['5xx']) / windowTotal, 4) : null,
      latency_ms: { p50: ms(quantile(0.5, windowBuckets)), p99: ms(quantile(0.99, windowBuckets)) },
    },
    cache: {
      hits: current.cacheHits,
      misses: current.cacheMisses,
      hit_ratio: hits + misses > 0 ? round(hits / (hits + misses), 4) : null,
    },
    pool: { ...current.pool, usage_ratio: current.pool.max > 0 ? round(current.pool.active / current.pool.max, 4) : null },
    leases: { open: current.leasesOpen },
    jobs: { queued: current.jobs.queued, running: current.jobs.processing },
  };
}

export type MetricsSummary = ReturnType<typeof summarize>;

/** Keeps the previous snapshot between calls, so each summary reports the window since the last one. */
export class MetricsSummarizer {
  private previous: MetricsSnapshot | null = null;

  constructor(
    private readonly render: () => Promise<string>,
    private readonly now: () => number = Date.now,
    /** A call sooner than this after the previous one reuses the older baseline (two tabs polling). */
    private readonly minWindowMs = 1_000,
  ) {}

  async summary(): Promise<MetricsSummary> {
    const current = snapshotOf(await this.render(), this.now());
    const previous = this.previous;
    const result = summarize(current, previous);
    if (!previous || current.at - previous.at >= this.minWindowMs) this.previous = current;
    return result;
  }
}
