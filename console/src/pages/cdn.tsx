import { useEffect, useState } from 'preact/hooks';
import { api, formatBytes } from '../api';
import { Chart } from '../chart';
import { ErrorNote } from '../error-note';
import { usePoll } from '../poll';
import type { StoredFile } from './files';

interface Interval { start: string; requests: number; cache_hits: number; cache_misses: number; hit_ratio: number; bandwidth_bytes: number }
interface Stats {
  period: string;
  interval: string;
  counted_by: 'cdn_log' | 'origin';
  stats: {
    total_requests: number;
    cache_hits: number;
    cache_misses: number;
    hit_ratio: number;
    bandwidth_gb: number;
    bandwidth_bytes: number;
    top_files: { file_id: string; requests: number; bandwidth_bytes: number }[];
    intervals: Interval[];
    geographic_distribution?: Record<string, number>;
  };
}
type PurgeStatus = 'queued' | 'processing' | 'completed' | 'failed';
interface Purge {
  purge_request: { id: string; status: PurgeStatus; purge_type: string; files_count: number; urls: string[]; attempts: number; created_at: string; completed_at: string | null };
  cdn_providers: { provider: string; status: PurgeStatus; urls_purged: number; error: string | null }[];
}

const PERIODS = ['1h', '24h', '7d', '30d', '90d'];

function Bars({ label, rows }: { label: string; rows: { key: string; name: string; value: number; text: string }[] }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return (
    <ul class="bars" aria-label={label}>
      {rows.map((r) => (
        <li data-bar={r.key}>
          <span class="bar-label">{r.name}</span>
          <span class="bar" aria-hidden="true"><span style={{ width: `${r.value === 0 ? 0 : Math.max(1, (100 * r.value) / max)}%` }} /></span>
          <span class="bar-value">{r.text}</span>
        </li>
      ))}
    </ul>
  );
}

/** Requests (hits and misses), hit ratio and bandwidth per interval of the period. */
function Charts({ intervals }: { intervals: Interval[] }) {
  const t = intervals.map((i) => Date.parse(i.start) / 1000);
  const busiest = intervals.reduce((best, i) => (i.requests > (best?.requests ?? 0) ? i : best), null as Interval | null);
  // Keyed by the period's intervals: a new period draws new charts (uPlot keeps its scales).
  const key = `${intervals.length}-${intervals[0]?.start ?? ''}`;
  return (
    <div data-testid="cdn-charts" data-intervals={intervals.length} data-requests={intervals.reduce((n, i) => n + i.requests, 0)}>
      <div class="charts" key={key}>
        <Chart title="Requests" series={[{ label: 'requests', color: '#2563eb' }, { label: 'hits', color: '#059669' }, { label: 'misses', color: '#d97706' }]} data={[t, intervals.map((i) => i.requests), intervals.map((i) => i.cache_hits), intervals.map((i) => i.cache_misses)]} />
        <Chart title="Hit ratio (%)" series={[{ label: 'hit ratio', color: '#7c3aed' }]} data={[t, intervals.map((i) => (i.requests > 0 ? i.hit_ratio : null))]} />
        <Chart title="Bandwidth (KB)" series={[{ label: 'KB sent', color: '#0f766e' }]} data={[t, intervals.map((i) => i.bandwidth_bytes / 1024)]} />
      </div>
      <p class="muted small-text" data-testid="cdn-busiest">
        {busiest ? `Busiest: ${new Date(busiest.start).toLocaleString()}, ${busiest.requests} requests, ${formatBytes(busiest.bandwidth_bytes)}.` : 'No requests in this period.'}
      </p>
    </div>
  );
}

/** CDN traffic for a period and purges of chosen files, followed per provider. */
export function Cdn() {
  const [period, setPeriod] = useState('7d');
  const [stats, setStats] = useState<Stats | null>(null);
  const [files, setFiles] = useState<StoredFile[]>([]);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [purgeType, setPurgeType] = useState('all');
  const [purge, setPurge] = useState<Purge | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    api<Stats>(`/api/v1/storage/cdn/stats?period=${period}`).then(setStats).catch(setError);
  }, [period]);
  useEffect(() => {
    api<{ files: StoredFile[] }>('/api/v1/storage/files?limit=100&page=1').then((l) => setFiles(l.files)).catch(setError);
  }, []);
  const open = purge !== null && (purge.purge_request.status === 'queued' || purge.purge_request.status === 'processing');
  usePoll(open, 1_000, async () => {
    if (!purge) return;
    try {
      setPurge(await api<Purge>(`/api/v1/storage/cdn/purge/${purge.purge_request.id}`));
    } catch (err) {
      setError(err);
    }
  });

  const startPurge = async (e: Event) => {
    e.preventDefault();
    try {
      setPurge(await api<Purge>('/api/v1/storage/cdn/purge', { method: 'POST', body: JSON.stringify({ file_ids: [...chosen], purge_type: purgeType }) }));
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  const toggle = (id: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    setChosen(next);
  };
  const names = new Map(files.map((f) => [f.id, f.original_name]));
  const s = stats?.stats;
  return (
    <section class="page" aria-labelledby="cdn-title">
      <h1 id="cdn-title">CDN</h1>
      <ErrorNote error={error} onClose={() => setError(null)} />
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Period
          <select value={period} onChange={(e) => setPeriod((e.target as HTMLSelectElement).value)}>
            {PERIODS.map((p) => <option value={p}>last {p}</option>)}
          </select>
        </label>
        {stats && <span class="muted small-text">Counted by {stats.counted_by === 'cdn_log' ? 'the CDN\'s log (hits and misses)' : 'the origin (misses only)'}</span>}
      </form>
      {s && (
        <>
          <div class="stats">
            <div class="stat" data-stat="cdn-requests"><span class="stat-label">Requests</span><span class="stat-value">{s.total_requests}</span></div>
            <div class="stat"><span class="stat-label">Hit ratio</span><span class="stat-value">{s.hit_ratio.toFixed(1)} %</span></div>
            <div class="stat"><span class="stat-label">Bandwidth</span><span class="stat-value">{formatBytes(s.bandwidth_bytes)}</span></div>
          </div>
          <h2>Over time <span class="muted small-text">(one point per {stats!.interval})</span></h2>
          <Charts intervals={s.intervals} />
          <h2>Hits and misses</h2>
          <Bars label="Cache hits and misses" rows={[
            { key: 'hits', name: 'Hits', value: s.cache_hits, text: String(s.cache_hits) },
            { key: 'misses', name: 'Misses', value: s.cache_misses, text: String(s.cache_misses) },
          ]} />
          <h2>Top files</h2>
          {s.top_files.length === 0 ? <p class="muted">No traffic in this period.</p> : (
            <Bars label="Top files by requests" rows={s.top_files.map((t) => ({ key: t.file_id, name: names.get(t.file_id) ?? `${t.file_id.slice(0, 8)}…`, value: t.requests, text: `${t.requests} requests, ${formatBytes(t.bandwidth_bytes)}` }))} />
          )}
          {s.geographic_distribution && (
            <>
              <h2>Regions</h2>
              <Bars label="Requests by region" rows={Object.entries(s.geographic_distribution).map(([k, v]) => ({ key: k, name: k, value: v, text: `${v.toFixed(1)} %` }))} />
            </>
          )}
        </>
      )}
      <form class="panel" onSubmit={startPurge} aria-labelledby="purge-title">
        <h2 id="purge-title">Purge files from the CDN</h2>
        {files.length === 0 && <p class="muted">No files.</p>}
        <fieldset class="file-checks">
          <legend>Files ({chosen.size} chosen, at most 100)</legend>
          {files.map((f) => (
            <label class="check"><input type="checkbox" checked={chosen.has(f.id)} onChange={(e) => toggle(f.id, (e.target as HTMLInputElement).checked)} /> {f.original_name}</label>
          ))}
        </fieldset>
        <div class="upload-actions">
          <label>
            What
            <select value={purgeType} onChange={(e) => setPurgeType((e.target as HTMLSelectElement).value)}>
              <option value="all">all URLs</option>
              <option value="thumbnails">thumbnails</option>
              <option value="previews">previews</option>
            </select>
          </label>
          <button type="submit" disabled={chosen.size === 0 || chosen.size > 100 || open}>Purge</button>
        </div>
      </form>
      {purge && (
        <div class="panel" data-testid="purge" data-status={purge.purge_request.status}>
          <p>
            Purge of {purge.purge_request.files_count} file{purge.purge_request.files_count === 1 ? '' : 's'} ({purge.purge_request.urls.length} URLs): <span class={`status-tag ${purge.purge_request.status}`}>{purge.purge_request.status}</span>
            {purge.purge_request.attempts > 1 ? ` after ${purge.purge_request.attempts} attempts` : ''}
          </p>
          <div class="table-wrap">
            <table class="audit">
              <thead><tr><th scope="col">Provider</th><th scope="col">Status</th><th scope="col">URLs purged</th><th scope="col">Error</th></tr></thead>
              <tbody>
                {purge.cdn_providers.map((p) => (
                  <tr data-provider={p.provider}><td>{p.provider}</td><td><span class={`status-tag ${p.status}`}>{p.status}</span></td><td>{p.urls_purged}</td><td class="error-inline">{p.error ?? ''}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}
