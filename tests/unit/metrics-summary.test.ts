import { MetricsSummarizer, quantile, snapshotOf, summarize } from '../../src/adapters/metrics/metrics-summary';

const exposition = (ok: number, notFound: number, fast: number, slow: number, hits: number, misses: number) => `
# HELP http_request_duration_seconds x
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.01",method="GET",route="/health",status_code="200",service="s"} ${fast}
http_request_duration_seconds_bucket{le="0.1",method="GET",route="/health",status_code="200",service="s"} ${fast + slow}
http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/health",status_code="200",service="s"} ${fast + slow}
http_request_duration_seconds_count{method="GET",route="/health",status_code="200",service="s"} ${ok}
http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404",service="s"} ${notFound}
cache_hits_total{cache="query",service="s"} ${hits}
cache_misses_total{cache="query",service="s"} ${misses}
db_pool_active_connections{service="s"} 2
db_pool_max_connections{service="s"} 10
db_pool_waiting_requests{service="s"} 1
db_leases_open{operation_type="transaction",service="s"} 3
transformation_jobs{status="queued",service="s"} 4
transformation_jobs{status="processing",service="s"} 1
`;

describe('metrics summary', () => {
  it('interpolates a quantile inside its bucket, as histogram_quantile does', () => {
    const buckets = new Map([[0.01, 50], [0.1, 100], [Infinity, 100]]);
    expect(quantile(0.5, buckets)).toBeCloseTo(0.01);
    expect(quantile(0.75, buckets)).toBeCloseTo(0.055);
    expect(quantile(0.5, new Map())).toBeNull();
  });

  it('reports totals only on the first call, and rates over the window after', () => {
    const first = snapshotOf(exposition(10, 0, 10, 0, 1, 1), 0);
    expect(summarize(first, null)).toMatchObject({ window_seconds: null, requests: { total: 10, per_second: null }, pool: { active: 2, max: 10, waiting: 1, usage_ratio: 0.2 }, leases: { open: 3 }, jobs: { queued: 4, running: 1 } });
    const second = snapshotOf(exposition(30, 5, 20, 10, 4, 1), 5_000);
    const s = summarize(second, first);
    expect(s.window_seconds).toBe(5);
    expect(s.requests.per_second).toBe(5); // 25 requests in 5 s
    expect(s.requests.by_status_class['4xx']).toEqual({ total: 5, per_second: 1 });
    expect(s.requests.error_ratio).toBe(0.2);
    expect(s.cache.hit_ratio).toBe(1); // 3 hits, no miss in the window
    // Window: 10 fast (≤ 10 ms) and 10 slow (10–100 ms): the median sits at the first bucket's bound.
    expect(s.requests.latency_ms.p50).toBeCloseTo(10);
    expect(s.requests.latency_ms.p99!).toBeGreaterThan(90);
  });

  it('keeps the older baseline when called again within a second', async () => {
    let now = 0;
    let ok = 0;
    const summarizer = new MetricsSummarizer(async () => exposition((ok += 10), 0, ok, 0, 0, 0), () => now);
    await summarizer.summary();
    now = 500;
    expect((await summarizer.summary()).window_seconds).toBe(0.5);
    now = 2_000;
    expect((await summarizer.summary()).window_seconds).toBe(2);
  });
});
