import { useEffect, useState } from 'preact/hooks';
import { api, formatBytes, session } from '../api';
import { ErrorNote } from '../error-note';
import { useMediaUrl } from '../media';
import { Uploads } from '../uploads';

export interface StoredFile {
  id: string;
  user_id: string;
  original_name: string;
  file_type: 'image' | 'video' | 'audio' | 'document' | 'other';
  mime_type: string;
  size_bytes: number;
  is_public: boolean;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  recovery_deadline: string | null;
  checksum_sha256: string;
  storage_provider: string;
  urls?: { download: string; cdn: string | null; thumbnail: string | null };
}
interface Listing {
  files: StoredFile[];
  pagination: { page: number; limit: number; total: number; pages: number };
  storage_usage: { used_bytes: number; quota_bytes: number | null; usage_percent: number };
}
interface Details {
  file: StoredFile;
  metadata: Record<string, unknown>;
  urls: { download: string; cdn: string | null; thumbnail: string | null };
  transformations: { id: string; type: string; status: string; output_file_id: string | null }[];
}

const LIMIT = 20;

function Thumb({ file }: { file: StoredFile }) {
  const { url } = useMediaUrl(file.file_type === 'image' && !file.deleted_at ? file.id : null);
  if (url) return <img class="thumb" src={url} alt="" loading="lazy" />;
  const label = (file.mime_type.split('/')[1] ?? file.file_type).replace(/^x-/, '').slice(0, 6).toUpperCase();
  return <span class="thumb icon" aria-hidden="true">{label}</span>;
}

export function Files() {
  const me = session()!;
  const isAdmin = me.role === 'admin';
  const [search, setSearch] = useState('');
  const [type, setType] = useState('');
  const [trashed, setTrashed] = useState(false);
  const [userId, setUserId] = useState('');
  const [page, setPage] = useState(1);
  const [listing, setListing] = useState<Listing | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reloads, setReloads] = useState(0);
  const reload = () => setReloads((n) => n + 1);

  useEffect(() => {
    const q = new URLSearchParams({ page: String(page), limit: String(LIMIT), trashed: String(trashed) });
    if (search.trim()) q.set('search', search.trim());
    if (type) q.set('file_type', type);
    if (isAdmin && userId.trim()) q.set('user_id', userId.trim());
    let stale = false;
    api<Listing>(`/api/v1/storage/files?${q}`)
      .then((l) => {
        if (stale) return;
        setListing(l);
        setError(null);
      })
      .catch((err) => !stale && setError(err));
    return () => {
      stale = true;
    };
  }, [search, type, trashed, userId, page, reloads]);

  const usage = listing?.storage_usage;
  return (
    <section class="page files-page" aria-labelledby="files-title">
      <h1 id="files-title">Files</h1>
      {usage && (
        <div class="usage" data-testid="usage">
          <div class="usage-text">
            {formatBytes(usage.used_bytes)} used{usage.quota_bytes !== null ? ` of ${formatBytes(usage.quota_bytes)} (${usage.usage_percent.toFixed(1)} %)` : ' (no quota)'}
          </div>
          {usage.quota_bytes !== null && <progress max={100} value={Math.min(100, usage.usage_percent)} aria-label="Storage used against the quota" />}
        </div>
      )}
      {!trashed && <Uploads onComplete={reload} />}
      <form class="filters" onSubmit={(e) => e.preventDefault()} role="search">
        <label>
          Search <input type="search" value={search} onInput={(e) => { setSearch((e.target as HTMLInputElement).value); setPage(1); }} placeholder="name or tag" />
        </label>
        <label>
          Type
          <select value={type} onChange={(e) => { setType((e.target as HTMLSelectElement).value); setPage(1); }}>
            <option value="">all</option>
            {['image', 'video', 'audio', 'document', 'other'].map((t) => <option value={t}>{t}</option>)}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked={trashed} onChange={(e) => { setTrashed((e.target as HTMLInputElement).checked); setPage(1); setSelected(null); }} /> Trash
        </label>
        {isAdmin && (
          <label>
            User id <input value={userId} onChange={(e) => { setUserId((e.target as HTMLInputElement).value); setPage(1); }} placeholder="(mine)" size={36} />
          </label>
        )}
      </form>
      <ErrorNote error={error} onClose={() => setError(null)} />
      <div class="files-layout">
        <div class="files-list">
          {listing && listing.files.length === 0 && <p class="muted">{trashed ? 'The trash is empty.' : 'No files yet.'}</p>}
          <ul class="file-grid" aria-label="Files">
            {listing?.files.map((f) => (
              <li data-file={f.original_name} class={selected === f.id ? 'selected' : ''}>
                <button type="button" class="file-card" onClick={() => setSelected(f.id)} aria-label={`${f.original_name}, ${formatBytes(f.size_bytes)}`}>
                  <Thumb file={f} />
                  <span class="file-name">{f.original_name}</span>
                  <span class="muted">{formatBytes(f.size_bytes)} · {f.file_type}{f.is_public ? ' · public' : ''}</span>
                </button>
              </li>
            ))}
          </ul>
          {listing && listing.pagination.pages > 1 && (
            <nav class="pager" aria-label="Pages of files">
              <button type="button" class="small" disabled={page <= 1} onClick={() => setPage(page - 1)}>Previous</button>
              <span>Page {listing.pagination.page} of {listing.pagination.pages} ({listing.pagination.total} files)</span>
              <button type="button" class="small" disabled={page >= listing.pagination.pages} onClick={() => setPage(page + 1)}>Next</button>
            </nav>
          )}
          {listing && listing.pagination.pages <= 1 && <p class="muted" data-testid="file-count">{listing.pagination.total} file{listing.pagination.total === 1 ? '' : 's'}</p>}
        </div>
        {selected && <FileDetails id={selected} listed={listing?.files.find((f) => f.id === selected) ?? null} onChanged={reload} onClose={() => setSelected(null)} />}
      </div>
    </section>
  );
}

function Preview({ file }: { file: StoredFile }) {
  const kind = file.mime_type === 'application/pdf' ? 'pdf' : file.file_type;
  const media = kind === 'image' || kind === 'video' || kind === 'audio';
  const { url, error } = useMediaUrl(media || kind === 'pdf' ? file.id : null, kind === 'pdf');
  if (error) return <ErrorNote error={error} />;
  if (!url) return media || kind === 'pdf' ? <p class="muted">Loading preview…</p> : <p class="muted">No preview for {file.mime_type}.</p>;
  if (kind === 'image') return <img class="preview" src={url} alt={`Preview of ${file.original_name}`} />;
  if (kind === 'video') return <video class="preview" src={url} controls preload="metadata" aria-label={`Video ${file.original_name}`} />;
  if (kind === 'audio') return <audio src={url} controls preload="metadata" aria-label={`Audio ${file.original_name}`} />;
  return <iframe class="preview pdf" src={url} title={`PDF ${file.original_name}`} />;
}

function FileDetails({ id, listed, onChanged, onClose }: { id: string; listed: StoredFile | null; onChanged: () => void; onClose: () => void }) {
  const [details, setDetails] = useState<Details | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const load = () =>
    // A trashed file has no details endpoint (404 until restored): the listing's row is all there is.
    listed?.deleted_at
      ? Promise.resolve(setDetails({ file: listed, metadata: {}, urls: listed.urls ?? { download: '', cdn: null, thumbnail: null }, transformations: [] }))
      : api<Details>(`/api/v1/storage/files/${id}`)
      .then((d) => {
        setDetails(d);
        setName(d.file.original_name);
        setError(null);
      })
      .catch(setError);
  useEffect(() => {
    setDetails(null);
    setMessage('');
    setConfirming(false);
    void load();
  }, [id]);

  const act = async (what: string, run: () => Promise<unknown>, after: 'reload' | 'close' = 'reload') => {
    setBusy(true);
    try {
      await run();
      setMessage(what);
      onChanged();
      if (after === 'close') onClose();
      else await load();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (!details) return <aside class="details"><ErrorNote error={error} />{!error && <p>Loading…</p>}</aside>;
  const f = details.file;
  const trashed = f.deleted_at !== null;
  return (
    <aside class="details" aria-labelledby="details-title">
      <div class="details-head">
        <h2 id="details-title">{f.original_name}</h2>
        <button type="button" class="small link" onClick={onClose} aria-label="Close the details">Close</button>
      </div>
      {!trashed && <Preview file={f} />}
      <ErrorNote error={error} onClose={() => setError(null)} />
      {message && <p class="ok" role="status">{message}</p>}
      <dl class="meta">
        <dt>Type</dt><dd>{f.mime_type} ({f.file_type})</dd>
        <dt>Size</dt><dd>{formatBytes(f.size_bytes)}</dd>
        <dt>Visibility</dt><dd>{f.is_public ? 'public' : 'private'}</dd>
        <dt>Created</dt><dd>{new Date(f.created_at).toLocaleString()}</dd>
        <dt>Stored in</dt><dd>{f.storage_provider}</dd>
        <dt>SHA-256</dt><dd class="mono">{f.checksum_sha256}</dd>
        {trashed && <><dt>In the trash until</dt><dd>{f.recovery_deadline ? new Date(f.recovery_deadline).toLocaleString() : '—'}</dd></>}
        {details.urls.download && <><dt>Download</dt><dd class="mono">{details.urls.download}</dd></>}
        {details.urls.cdn && <><dt>CDN</dt><dd class="mono">{details.urls.cdn}</dd></>}
      </dl>
      {Object.keys(details.metadata).length > 0 && (
        <details>
          <summary>Extracted metadata</summary>
          <pre>{JSON.stringify(details.metadata, null, 2)}</pre>
        </details>
      )}
      {details.transformations.length > 0 && (
        <>
          <h3>Transformations</h3>
          <ul>{details.transformations.map((t) => <li>{t.type}: {t.status}</li>)}</ul>
        </>
      )}
      <div class="actions">
        {!trashed && (
          <form class="rename" onSubmit={(e) => { e.preventDefault(); void act('Renamed', () => api(`/api/v1/storage/files/${f.id}`, { method: 'PUT', body: JSON.stringify({ original_name: name }) })); }}>
            <label>Name <input value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} /></label>
            <button type="submit" class="small" disabled={busy || name.trim() === '' || name === f.original_name}>Rename</button>
          </form>
        )}
        {!trashed && (
          <button type="button" class="small" disabled={busy} onClick={() => act(f.is_public ? 'Now private' : 'Now public', () => api(`/api/v1/storage/files/${f.id}`, { method: 'PUT', body: JSON.stringify({ is_public: !f.is_public }) }))}>
            Make {f.is_public ? 'private' : 'public'}
          </button>
        )}
        {!trashed && <button type="button" class="small" disabled={busy} onClick={() => act('Moved to the trash', () => api(`/api/v1/storage/files/${f.id}`, { method: 'DELETE' }), 'close')}>Move to trash</button>}
        {trashed && <button type="button" class="small" disabled={busy} onClick={() => act('Restored', () => api(`/api/v1/storage/files/${f.id}/restore`, { method: 'POST' }), 'close')}>Restore</button>}
        <button type="button" class="small danger" disabled={busy} onClick={() => setConfirming(true)}>Delete for good…</button>
      </div>
      {confirming && (
        <div class="confirm" role="alertdialog" aria-labelledby="confirm-title">
          <p id="confirm-title"><strong>Delete “{f.original_name}” for good?</strong> Its stored bytes are removed and it cannot be restored.</p>
          <button type="button" class="danger" disabled={busy} onClick={() => act('Deleted for good', () => api(`/api/v1/storage/files/${f.id}?permanent=true`, { method: 'DELETE' }), 'close')}>Delete for good</button>{' '}
          <button type="button" onClick={() => setConfirming(false)}>Cancel</button>
        </div>
      )}
    </aside>
  );
}
