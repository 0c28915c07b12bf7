import { useEffect, useState } from 'preact/hooks';
import { api, formatBytes } from '../api';
import { ErrorNote } from '../error-note';
import { downloadBlob, percentText, usePoll } from '../poll';

type Part<T> = ({ available: true } & T) | { available: false; reason: string };
interface Table { schema: string; name: string; rows_estimate: number; total_bytes: number; index_bytes: number; seq_scans: number; index_scans: number; dead_rows: number }
interface Statement { query: string; calls: number; total_ms: number; mean_ms: number; max_ms: number; rows: number }
interface DbStatus {
  server: Part<{ version: string; uptime_seconds: number }>;
  database: Part<{ name: string; size_bytes: number; tables: Table[] }>;
  connections: { available: boolean; total?: number; max_connections?: number; by_state?: Record<string, number>; pools: { name: string; active: number; idle: number; waiting: number; max: number }[] };
  performance: Part<{ cache_hit_ratio: number | null; commits: number; rollbacks: number; deadlocks: number }>;
  slow_queries: Part<{ source: string; statements: Statement[] }>;
  index_advice: Part<{ seq_scanned_tables: { table: string; seq_scans: number; suggestion: string }[]; unused_indexes: { table: string; index: string; index_bytes: number; suggestion: string }[] }>;
  locks: Part<{ waiting: { pid: number; mode: string; relation: string | null; query: string; waiting_seconds: number; blocked_by: number[] }[]; blockers: { pid: number; query: string; age_seconds: number; state: string | null }[] }>;
  restricted_sql: Part<{ role: string; usable: boolean; reason: string | null; readable_tables: string[]; grants: string[] }>;
}
interface QueryResult { columns: { name: string; type: string }[]; rows: unknown[][]; row_count: number; truncated: boolean; execution_time_ms: number }
interface Planned { version: string; description: string; estimated_duration: string }
interface MigrationStatus { current_version: string | null; pending_migrations: Planned[]; last_migration: { version: string; applied_at: string } | null; applied_count: number }
interface MigrationRun { migration_id: string; status: 'running' | 'completed' | 'failed' | 'dry_run'; progress: { current_step: number; total_steps: number }; steps: { version: string; status: string }[]; error: { version: string; message: string } | null }

function Unavailable({ part }: { part: { available: boolean; reason?: string } }) {
  return part.available ? null : <p class="muted">Not available: {part.reason}</p>;
}

/** Admin: /db/status, restricted SQL with CSV export, migrations. */
export function Database() {
  const [status, setStatus] = useState<DbStatus | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reloads, setReloads] = useState(0);
  useEffect(() => {
    api<DbStatus>('/api/v1/db/status').then(setStatus).catch(setError);
  }, [reloads]);
  return (
    <section class="page" aria-labelledby="database-title">
      <h1 id="database-title">Database</h1>
      <ErrorNote error={error} onClose={() => setError(null)} />
      <button type="button" class="small" onClick={() => setReloads((n) => n + 1)}>Refresh the status</button>
      {status && <StatusView status={status} />}
      <SqlEditor tables={status?.restricted_sql.available ? status.restricted_sql.readable_tables : []} />
      <Migrations />
    </section>
  );
}

function StatusView({ status }: { status: DbStatus }) {
  const [sort, setSort] = useState<keyof Statement>('total_ms');
  const [descending, setDescending] = useState(true);
  const db = status.database;
  const biggest = db.available ? Math.max(1, ...db.tables.map((t) => t.total_bytes)) : 1;
  const statements = status.slow_queries.available
    ? [...status.slow_queries.statements].sort((a, b) => (descending ? -1 : 1) * ((a[sort] as number) - (b[sort] as number))).slice(0, 20)
    : [];
  const header = (key: keyof Statement, label: string) => (
    <th scope="col" aria-sort={sort === key ? (descending ? 'descending' : 'ascending') : undefined}>
      <button type="button" class="small link" onClick={() => (sort === key ? setDescending(!descending) : (setSort(key), setDescending(true)))}>
        {label}{sort === key ? (descending ? ' ▼' : ' ▲') : ''}
      </button>
    </th>
  );
  return (
    <>
      <div class="stats">
        <div class="stat"><span class="stat-label">Server</span><span class="stat-value">{status.server.available ? `PostgreSQL ${status.server.version.split(' ')[0]}` : '—'}</span></div>
        <div class="stat"><span class="stat-label">Database size</span><span class="stat-value" data-testid="db-size">{db.available ? formatBytes(db.size_bytes) : '—'}</span></div>
        <div class="stat"><span class="stat-label">Connections</span><span class="stat-value">{status.connections.total ?? '—'} / {status.connections.max_connections ?? '—'}</span></div>
        <div class="stat"><span class="stat-label">Cache hit ratio</span><span class="stat-value">{status.performance.available && status.performance.cache_hit_ratio !== null ? `${(status.performance.cache_hit_ratio * 100).toFixed(1)} %` : '—'}</span></div>
        <div class="stat"><span class="stat-label">Deadlocks</span><span class="stat-value">{status.performance.available ? status.performance.deadlocks : '—'}</span></div>
        {status.connections.pools.map((p) => (
          <div class="stat"><span class="stat-label">Pool {p.name}</span><span class="stat-value">{p.active}/{p.max} busy, {p.waiting} waiting</span></div>
        ))}
      </div>
      <h2>Table sizes</h2>
      <Unavailable part={db} />
      {db.available && (
        <ul class="bars" aria-label="Table sizes">
          {db.tables.slice(0, 15).map((t) => (
            <li data-table={t.name}>
              <span class="bar-label">{t.name}</span>
              <span class="bar" aria-hidden="true"><span style={{ width: `${Math.max(1, (100 * t.total_bytes) / biggest)}%` }} /></span>
              <span class="bar-value">{formatBytes(t.total_bytes)} · ~{t.rows_estimate} rows</span>
            </li>
          ))}
        </ul>
      )}
      <h2>Slow queries {status.slow_queries.available && <span class="muted small-text">(source: {status.slow_queries.source})</span>}</h2>
      <Unavailable part={status.slow_queries} />
      {status.slow_queries.available && (
        <div class="table-wrap">
          <table class="audit" data-testid="slow-queries">
            <thead><tr><th scope="col">Statement</th>{header('calls', 'Calls')}{header('total_ms', 'Total ms')}{header('mean_ms', 'Mean ms')}{header('max_ms', 'Max ms')}{header('rows', 'Rows')}</tr></thead>
            <tbody>
              {statements.map((s) => (
                <tr><td class="mono wrap">{s.query.slice(0, 200)}</td><td>{s.calls}</td><td>{s.total_ms.toFixed(1)}</td><td>{s.mean_ms.toFixed(2)}</td><td>{s.max_ms.toFixed(1)}</td><td>{s.rows}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Index advice</h2>
      <Unavailable part={status.index_advice} />
      {status.index_advice.available && (
        status.index_advice.seq_scanned_tables.length + status.index_advice.unused_indexes.length === 0
          ? <p class="muted">Nothing to advise.</p>
          : <>
              {status.index_advice.seq_scanned_tables.length > 0 && (
                <ul data-testid="seq-scanned">
                  {status.index_advice.seq_scanned_tables.map((t) => <li><strong>{t.table}</strong> ({t.seq_scans} sequential scans): {t.suggestion}</li>)}
                </ul>
              )}
              {status.index_advice.unused_indexes.length > 0 && (
                <details>
                  <summary>{status.index_advice.unused_indexes.length} indexes unused since the statistics were reset</summary>
                  <ul class="small-text">{status.index_advice.unused_indexes.map((i) => <li><strong>{i.index}</strong> on {i.table} ({formatBytes(i.index_bytes)}): {i.suggestion}</li>)}</ul>
                </details>
              )}
            </>
      )}
      <h2>Locks</h2>
      <Unavailable part={status.locks} />
      {status.locks.available && (
        status.locks.waiting.length === 0
          ? <p class="muted" data-testid="locks">No session waits for a lock.</p>
          : <ul data-testid="locks">
              {status.locks.waiting.map((w) => <li>pid {w.pid} waits {w.waiting_seconds.toFixed(1)} s for {w.mode} on {w.relation ?? '—'} (blocked by {w.blocked_by.join(', ')}): <code>{w.query.slice(0, 120)}</code></li>)}
            </ul>
      )}
    </>
  );
}

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function SqlEditor({ tables }: { tables: string[] }) {
  const [sql, setSql] = useState('SELECT file_type, count(*) AS files, sum(size_bytes) AS bytes\nFROM files\nGROUP BY file_type\nORDER BY files DESC');
  const [maxRows, setMaxRows] = useState('1000');
  const [result, setResult] = useState<QueryResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      setResult(await api<QueryResult>('/api/v1/db/query', { method: 'POST', body: JSON.stringify({ sql, max_rows: Number(maxRows) || 1000 }) }));
      setError(null);
    } catch (err) {
      setError(err);
      setResult(null);
    } finally {
      setBusy(false);
    }
  };
  const exportCsv = () => {
    if (!result) return;
    const lines = [result.columns.map((c) => csvCell(c.name)).join(','), ...result.rows.map((r) => r.map(csvCell).join(','))];
    downloadBlob(new Blob([`${lines.join('\r\n')}\r\n`], { type: 'text/csv' }), 'query.csv');
  };
  return (
    <form class="panel sql" onSubmit={run} aria-labelledby="sql-title">
      <h2 id="sql-title">Restricted SQL</h2>
      <p class="hint">One read-only SELECT, run as <code>vb_sql_reader</code>{tables.length > 0 ? `; readable: ${tables.join(', ')}` : ''}.</p>
      <label class="block">SQL <textarea rows={5} value={sql} onInput={(e) => setSql((e.target as HTMLTextAreaElement).value)} spellcheck={false} /></label>
      <div class="upload-actions">
        <label>Max rows <input type="number" min={1} max={10000} value={maxRows} onInput={(e) => setMaxRows((e.target as HTMLInputElement).value)} /></label>
        <button type="submit" disabled={busy || sql.trim() === ''}>{busy ? 'Running…' : 'Run'}</button>
        {result && <button type="button" class="small" onClick={exportCsv}>Export CSV</button>}
      </div>
      <ErrorNote error={error} onClose={() => setError(null)} />
      {result && (
        <>
          <p class="muted small-text" data-testid="sql-summary">{result.row_count} row{result.row_count === 1 ? '' : 's'}{result.truncated ? ' (truncated)' : ''} in {result.execution_time_ms} ms</p>
          <div class="table-wrap">
            <table class="audit" data-testid="sql-result">
              <thead><tr>{result.columns.map((c) => <th scope="col" title={c.type}>{c.name}</th>)}</tr></thead>
              <tbody>{result.rows.map((r) => <tr>{r.map((v) => <td>{v === null ? <span class="muted">null</span> : typeof v === 'object' ? JSON.stringify(v) : String(v)}</td>)}</tr>)}</tbody>
            </table>
          </div>
        </>
      )}
    </form>
  );
}

function Migrations() {
  const [status, setStatus] = useState<MigrationStatus | null>(null);
  const [run, setRun] = useState<MigrationRun | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = () => api<MigrationStatus>('/api/v1/migrations/status').then(setStatus).catch(setError);
  useEffect(() => {
    void load();
  }, []);
  usePoll(run?.status === 'running', 500, async () => {
    if (!run) return;
    try {
      const next = await api<MigrationRun>(`/api/v1/migrations/runs/${run.migration_id}`);
      setRun(next);
      if (next.status !== 'running') void load();
    } catch (err) {
      setError(err);
    }
  });
  const start = async () => {
    try {
      const started = await api<MigrationRun>('/api/v1/migrations/run', { method: 'POST', body: JSON.stringify({}) });
      setRun({ ...started, steps: started.steps ?? [], error: started.error ?? null });
      // A run that finished before answering is not polled: the status is read again now.
      if (started.status !== 'running') void load();
    } catch (err) {
      setError(err);
    }
  };
  const percent = run ? (run.status === 'completed' ? 100 : run.progress.total_steps > 0 ? (100 * run.progress.current_step) / run.progress.total_steps : 0) : 0;
  return (
    <div class="panel" aria-labelledby="migrations-title">
      <h2 id="migrations-title">Migrations</h2>
      <ErrorNote error={error} onClose={() => setError(null)} />
      {status && (
        <p data-testid="migrations">
          At <code>{status.current_version ?? 'none'}</code> ({status.applied_count} applied{status.last_migration ? `, last on ${new Date(status.last_migration.applied_at).toLocaleString()}` : ''});{' '}
          {status.pending_migrations.length === 0 ? 'up to date.' : `${status.pending_migrations.length} pending:`}
        </p>
      )}
      {status && status.pending_migrations.length > 0 && (
        <>
          <ul>{status.pending_migrations.map((m) => <li><code>{m.version}</code> {m.description} (~{m.estimated_duration})</li>)}</ul>
          <button type="button" onClick={start} disabled={run?.status === 'running'}>Run the pending migrations</button>
        </>
      )}
      {run && (
        <div data-testid="migration-run" data-status={run.status}>
          <span class={`status-tag ${run.status}`}>{run.status}</span> <span class="upload-percent">{percentText(percent)}</span>
          <progress max={100} value={percent} aria-label="Migration run progress" />
          {run.error && <p class="error-inline">{run.error.version}: {run.error.message}</p>}
        </div>
      )}
    </div>
  );
}
