import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { Chart } from '../chart';
import { ErrorNote } from '../error-note';

interface Check {
  status: 'UP' | 'DEGRADED' | 'DOWN';
  responseTime?: string;
  error?: string;
  [key: string]: unknown;
}
interface Health {
  status: string;
  version: string;
  checks: Record<string, Check>;
  background_tasks?: { name: string; schedule: string; running: boolean }[];
}
interface PerClass {
  total: number;
  per_second: number | null;
}
export interface Summary {
  timestamp: string;
  window_seconds: number | null;
  requests: { total: number; per_second: number | null; by_status_class: Record<'2xx' | '3xx' | '4xx' | '5xx', PerClass>; error_ratio: number | null; latency_ms: { p50: number | null; p99: number | null } };
  cache: { hits: number; misses: number; hit_ratio: number | null };
  pool: { active: number; idle: number; waiting: number; max: number; usage_ratio: number | null };
  leases: { open: number };
  jobs: { queued: number; running: number };
}

const SUMMARY_EVERY_MS = 2_000;
const HEALTH_EVERY_MS = 5_000;
/** Five minutes of points at one every two seconds. */
const KEEP = 150;

const fmt = (n: number | null | undefined, digits = 1) => (n === null || n === undefined ? '—' : n.toFixed(digits));
const pct = (n: number | null | undefined) => (n === null || n === undefined ? '—' : `${(n * 100).toFixed(1)} %`);

function Stat({ label, value, id }: { label: string; value: string; id: string }) {
  return (
    <div class="stat" data-stat={id}>
      <span class="stat-label">{label}</span>
      <span class="stat-value">{value}</span>
    </div>
  );
}

export function Overview() {
  const [health, setHealth] = useState<Health | null>(null);
  const [history, setHistory] = useState<Summary[]>([]);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let stopped = false;
    const pollHealth = async () => {
      try {
        // 503 still carries the report: read it rather than treat it as a failure.
        const res = await fetch('/health', { headers: { Accept: 'application/json' } });
        const body = (await res.json()) as Health;
        if (!stopped) setHealth(body);
      } catch (err) {
        if (!stopped) setError(err);
      }
    };
    const pollSummary = async () => {
      try {
        const s = await api<Summary>('/api/v1/admin/metrics/summary');
        if (!stopped) {
          setHistory((h) => [...h, s].slice(-KEEP));
          setError(null);
        }
      } catch (err) {
        if (!stopped) setError(err);
      }
    };
    void pollHealth();
    void pollSummary();
    const a = setInterval(pollHealth, HEALTH_EVERY_MS);
    const b = setInterval(pollSummary, SUMMARY_EVERY_MS);
    return () => {
      stopped = true;
      clearInterval(a);
      clearInterval(b);
    };
  }, []);

  const last = history.at(-1);
  const windowed = history.filter((s) => s.window_seconds !== null);
  const t = windowed.map((s) => Date.parse(s.timestamp) / 1000);
  const col = (pick: (s: Summary) => number | null) => windowed.map(pick);

  return (
    <section class="page" aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <ErrorNote error={error} />
      <h2>Health {health && <span class={`badge ${health.status}`} data-testid="overall-status">{health.status}</span>}</h2>
      <div class="cards">
        {health
          ? Object.entries(health.checks).map(([name, c]) => (
              <div class={`card ${c.status}`} data-check={name}>
                <div class="card-title">{name}</div>
                <div class="card-status">{c.status}</div>
                <div class="card-detail">{c.responseTime ?? ''}{c.error ? ` · ${c.error}` : ''}</div>
              </div>
            ))
          : <p>Loading /health…</p>}
      </div>
      <h2>Now</h2>
      <div class="stats">
        <Stat id="requests-total" label="Requests served" value={last ? String(last.requests.total) : '—'} />
        <Stat id="requests-per-second" label="Requests/s" value={fmt(last?.requests.per_second, 2)} />
        <Stat id="p50" label="p50 latency" value={`${fmt(last?.requests.latency_ms.p50, 2)} ms`} />
        <Stat id="p99" label="p99 latency" value={`${fmt(last?.requests.latency_ms.p99, 2)} ms`} />
        <Stat id="error-ratio" label="Errors (4xx+5xx)" value={pct(last?.requests.error_ratio)} />
        <Stat id="cache-hit-ratio" label="Cache hit ratio" value={pct(last?.cache.hit_ratio)} />
        <Stat id="pool" label="Pool in use / max (waiting)" value={last ? `${last.pool.active} / ${last.pool.max} (${last.pool.waiting})` : '—'} />
        <Stat id="leases" label="Leases open" value={last ? String(last.leases.open) : '—'} />
        <Stat id="jobs" label="Jobs queued / running" value={last ? `${last.jobs.queued} / ${last.jobs.running}` : '—'} />
      </div>
      <h2>Last minutes</h2>
      <div class="charts">
        <Chart title="Requests per second" series={[{ label: 'req/s', color: '#2563eb' }]} data={[t, col((s) => s.requests.per_second)]} />
        <Chart title="Latency (ms)" unit="" series={[{ label: 'p50', color: '#059669' }, { label: 'p99', color: '#b45309' }]} data={[t, col((s) => s.requests.latency_ms.p50), col((s) => s.requests.latency_ms.p99)]} />
        <Chart title="Errors per second by status class" series={[{ label: '4xx', color: '#d97706' }, { label: '5xx', color: '#dc2626' }]} data={[t, col((s) => s.requests.by_status_class['4xx'].per_second), col((s) => s.requests.by_status_class['5xx'].per_second)]} />
        <Chart title="Cache hit ratio" series={[{ label: 'hit ratio', color: '#7c3aed' }]} data={[t, col((s) => s.cache.hit_ratio)]} />
        <Chart title="PostgreSQL pool" series={[{ label: 'in use', color: '#2563eb' }, { label: 'waiting', color: '#dc2626' }]} data={[t, col((s) => s.pool.active), col((s) => s.pool.waiting)]} />
        <Chart title="Leases and jobs" series={[{ label: 'leases open', color: '#0891b2' }, { label: 'jobs queued', color: '#d97706' }, { label: 'jobs running', color: '#059669' }]} data={[t, col((s) => s.leases.open), col((s) => s.jobs.queued), col((s) => s.jobs.running)]} />
      </div>
      {health?.background_tasks && (
        <>
          <h2>Background tasks</h2>
          <ul class="tasks">
            {health.background_tasks.map((b) => (
              <li>{b.name} <span class="muted">({b.schedule})</span> {b.running ? '● running' : '○ stopped'}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
