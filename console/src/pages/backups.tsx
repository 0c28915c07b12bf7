import { useEffect, useState } from 'preact/hooks';
import { api, formatBytes, request } from '../api';
import { ErrorNote } from '../error-note';
import { downloadBlob, percentText, usePoll } from '../poll';

interface Backup {
  id: string;
  label: string | null;
  kind: 'manual' | 'scheduled' | 'pre_restore';
  status: 'queued' | 'running' | 'completed' | 'failed';
  started_at: string;
  completed_at: string | null;
  duration_ms: number | null;
  size_bytes: number | null;
  sha256: string | null;
  migration_version: string | null;
  files_in_manifest: number | null;
  encrypted: boolean;
  expires_at: string | null;
  error: string | null;
  progress: { phase: string; tables_done: number; tables_total: number; bytes_written: number };
}
interface Policy {
  schedule: string | null;
  retention_days: number;
  keep_min: number;
  max_age_hours: number;
}
interface Listing {
  backups: Backup[];
  pagination: { page: number; limit: number; total: number; pages: number };
  policy: Policy;
}
interface Restore {
  id: string;
  backup_id: string;
  target: 'new_database' | 'in_place';
  database_name: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  progress: { phase: string; bytes_read: number };
  report: { row_counts: Record<string, number>; files_in_manifest: number; files_restored: number; files_missing: number; in_place?: { pre_restore_backup_id: string; migrations: { pending: string[] } } } | null;
  error: string | null;
}

const LIMIT = 10;
const busyBackup = (b: Backup) => b.status === 'queued' || b.status === 'running';

export function backupPercent(b: Backup): number {
  if (b.status === 'completed') return 100;
  const { tables_done, tables_total } = b.progress;
  return tables_total > 0 ? Math.min(99, (100 * tables_done) / tables_total) : 0;
}

/** Admin: database backups (004): list, create with progress, download, restore, and how they are kept. */
export function Backups() {
  const [page, setPage] = useState(1);
  const [listing, setListing] = useState<Listing | null>(null);
  const [label, setLabel] = useState('');
  const [manifest, setManifest] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [restoring, setRestoring] = useState<Backup | null>(null);
  const [restore, setRestore] = useState<Restore | null>(null);

  const load = () =>
    api<Listing>(`/api/v1/db/backups?page=${page}&limit=${LIMIT}`)
      .then((l) => {
        setListing(l);
      })
      .catch(setError);
  useEffect(() => {
    void load();
  }, [page]);
  usePoll(Boolean(listing?.backups.some(busyBackup)), 500, load);
  usePoll(Boolean(restore && (restore.status === 'queued' || restore.status === 'running')), 500, async () => {
    if (!restore) return;
    try {
      const next = await api<Restore>(`/api/v1/db/restores/${restore.id}`);
      setRestore(next);
      if (next.status === 'completed' || next.status === 'failed') void load();
    } catch (err) {
      setError(err);
    }
  });

  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api<Backup>('/api/v1/db/backup', { method: 'POST', body: JSON.stringify({ ...(label.trim() ? { label: label.trim() } : {}), include_files_manifest: manifest }) });
      setLabel('');
      setPage(1);
      await load();
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const download = async (b: Backup) => {
    try {
      const res = await request(`/api/v1/db/backups/${b.id}/download`);
      const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `backup-${b.id}.dump`;
      downloadBlob(await res.blob(), name);
    } catch (err) {
      setError(err);
    }
  };

  const remove = async (b: Backup) => {
    try {
      await api(`/api/v1/db/backups/${b.id}`, { method: 'DELETE' });
      await load();
    } catch (err) {
      setError(err);
    }
  };

  const policy = listing?.policy;
  const running = listing?.backups.some(busyBackup) ?? false;
  return (
    <section class="page" aria-labelledby="backups-title">
      <h1 id="backups-title">Backups</h1>
      {policy && (
        <dl class="meta policy" data-testid="backup-policy">
          <dt>Schedule</dt><dd>{policy.schedule ? <code>{policy.schedule}</code> : 'none (manual backups only)'}{policy.schedule ? ' (cron, UTC)' : ''}</dd>
          <dt>Retention</dt><dd>{policy.retention_days === 0 ? 'kept forever' : `expire ${policy.retention_days} days after completion`}; the newest {policy.keep_min} always kept</dd>
          <dt>Health</dt><dd>{policy.schedule ? `DOWN when the last backup is older than ${policy.max_age_hours} h` : 'not checked without a schedule'}</dd>
        </dl>
      )}
      <form class="panel inline-form" onSubmit={create} aria-labelledby="create-backup-title">
        <h2 id="create-backup-title">Create a backup</h2>
        <label>Label <input value={label} onInput={(e) => setLabel((e.target as HTMLInputElement).value)} placeholder="before the release" maxLength={200} /></label>
        <label class="check"><input type="checkbox" checked={manifest} onChange={(e) => setManifest((e.target as HTMLInputElement).checked)} /> Include the files manifest</label>
        <button type="submit" disabled={busy || running}>{running ? 'A backup is running…' : 'Create a backup'}</button>
      </form>
      <ErrorNote error={error} onClose={() => setError(null)} />
      {restore && <RestoreProgress restore={restore} size={listing?.backups.find((b) => b.id === restore.backup_id)?.size_bytes ?? null} onClose={() => setRestore(null)} />}
      <ul class="job-list" aria-label="Backups">
        {listing?.backups.map((b) => {
          const percent = backupPercent(b);
          return (
            <li class="job" data-backup={b.id} data-status={b.status}>
              <div class="upload-head">
                <span class="upload-name">{b.label ?? b.kind}</span>
                <span class="muted">{b.kind} · {new Date(b.started_at).toLocaleString()}</span>
                <span class={`status-tag ${b.status}`} data-testid="backup-status">{b.status}</span>
                <span class="upload-percent" data-testid="backup-percent">{percentText(percent)}</span>
              </div>
              {busyBackup(b) && (
                <>
                  <progress max={100} value={percent} aria-label={`Backup ${b.label ?? b.id}: progress`} />
                  <p class="muted small-text">{b.progress.phase}: {b.progress.tables_done} of {b.progress.tables_total} tables, {formatBytes(b.progress.bytes_written)} written</p>
                </>
              )}
              {b.status === 'completed' && (
                <p class="muted small-text">
                  {formatBytes(b.size_bytes)} · {b.duration_ms} ms · schema {b.migration_version ?? '—'} · {b.files_in_manifest === null ? 'no manifest' : `${b.files_in_manifest} files in the manifest`} · {b.encrypted ? 'encrypted' : 'not encrypted'} · {b.expires_at ? `expires ${new Date(b.expires_at).toLocaleDateString()}` : 'kept'}
                </p>
              )}
              {b.status === 'failed' && <p class="error-inline">Failed: {b.error ?? 'no message'}</p>}
              {!busyBackup(b) && (
                <div class="upload-actions">
                  {b.status === 'completed' && <button type="button" class="small" onClick={() => download(b)}>Download</button>}
                  {b.status === 'completed' && <button type="button" class="small" onClick={() => setRestoring(b)}>Restore…</button>}
                  <button type="button" class="small link" onClick={() => remove(b)} aria-label={`Delete the backup ${b.label ?? b.id}`}>Delete</button>
                </div>
              )}
            </li>
          );
        })}
      </ul>
      {listing && listing.backups.length === 0 && <p class="muted">No backups yet.</p>}
      {listing && listing.pagination.pages > 1 && (
        <nav class="pager" aria-label="Pages of backups">
          <button type="button" class="small" disabled={page <= 1} onClick={() => setPage(page - 1)}>Previous</button>
          <span>Page {page} of {listing.pagination.pages} ({listing.pagination.total} backups)</span>
          <button type="button" class="small" disabled={page >= listing.pagination.pages} onClick={() => setPage(page + 1)}>Next</button>
        </nav>
      )}
      {restoring && (
        <RestoreForm
          backup={restoring}
          onCancel={() => setRestoring(null)}
          onStarted={(r) => {
            setRestoring(null);
            setRestore(r);
          }}
        />
      )}
    </section>
  );
}

function RestoreForm({ backup, onCancel, onStarted }: { backup: Backup; onCancel: () => void; onStarted: (r: Restore) => void }) {
  const [target, setTarget] = useState<'new_database' | 'in_place'>('new_database');
  const [name, setName] = useState(`restored_${backup.started_at.slice(0, 10).replace(/-/g, '')}_${backup.id.slice(0, 6)}`);
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const body = target === 'new_database' ? { target, database_name: name.trim() } : { target, confirm };
      onStarted(await api<Restore>(`/api/v1/db/backups/${backup.id}/restore`, { method: 'POST', body: JSON.stringify(body) }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="confirm" role="dialog" aria-labelledby="restore-title" onSubmit={submit}>
      <h2 id="restore-title">Restore “{backup.label ?? backup.id}”</h2>
      <fieldset>
        <legend>Into</legend>
        <label class="check"><input type="radio" name="target" checked={target === 'new_database'} onChange={() => setTarget('new_database')} /> a new database (the live one is untouched)</label>
        <label class="check"><input type="radio" name="target" checked={target === 'in_place'} onChange={() => setTarget('in_place')} /> the live database, in place</label>
      </fieldset>
      {target === 'new_database' ? (
        <label>Database name <input value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} /></label>
      ) : (
        <>
          <p><strong>This replaces the live database.</strong> A backup of it is taken first; writes answer 503 meanwhile. Type the backup's id to confirm:</p>
          <p><code>{backup.id}</code></p>
          <label>Backup id <input value={confirm} onInput={(e) => setConfirm((e.target as HTMLInputElement).value)} autocomplete="off" /></label>
        </>
      )}
      <ErrorNote error={error} />
      <div class="upload-actions">
        <button type="submit" class={target === 'in_place' ? 'danger' : ''} disabled={busy || (target === 'in_place' ? confirm !== backup.id : name.trim() === '')}>
          {target === 'in_place' ? 'Replace the live database' : 'Restore'}
        </button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

function RestoreProgress({ restore, size, onClose }: { restore: Restore; size: number | null; onClose: () => void }) {
  const done = restore.status === 'completed';
  const percent = done ? 100 : size ? Math.min(99, (100 * restore.progress.bytes_read) / size) : 0;
  return (
    <div class="panel" data-testid="restore" data-status={restore.status}>
      <div class="upload-head">
        <strong>Restore into {restore.target === 'in_place' ? 'the live database' : restore.database_name}</strong>
        <span class={`status-tag ${restore.status}`}>{restore.status}</span>
        <span class="muted">{restore.progress.phase}</span>
        <span class="upload-percent">{percentText(percent)}</span>
      </div>
      <progress max={100} value={percent} aria-label="Restore progress" />
      {restore.error && <p class="error-inline">Failed: {restore.error}</p>}
      {restore.report && (
        <p class="muted small-text">
          {Object.values(restore.report.row_counts).reduce((a, b) => a + b, 0)} rows in {Object.keys(restore.report.row_counts).length} tables; {restore.report.files_restored} of {restore.report.files_in_manifest} manifest files present, {restore.report.files_missing} missing.
          {restore.report.in_place && ` Undo with the pre-restore backup ${restore.report.in_place.pre_restore_backup_id}.`}
          {restore.report.in_place && restore.report.in_place.migrations.pending.length > 0 && ` Pending migrations: ${restore.report.in_place.migrations.pending.join(', ')}.`}
        </p>
      )}
      {(done || restore.status === 'failed') && <button type="button" class="small" onClick={onClose}>Dismiss</button>}
    </div>
  );
}
