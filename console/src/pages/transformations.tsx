import { useEffect, useState } from 'preact/hooks';
import { api, formatBytes, request, session } from '../api';
import { ErrorNote } from '../error-note';
import { streamUrl, useMediaUrl } from '../media';
import { downloadBlob, percentText, usePoll } from '../poll';
import type { StoredFile } from './files';

type Kind = StoredFile['file_type'];
type Status = 'queued' | 'processing' | 'completed' | 'failed' | 'cancelled';

interface OutputFile { id: string; original_name: string; mime_type: string; size_bytes: number }
interface Job {
  transformation: {
    id: string;
    source_file_id: string;
    target_file_id: string | null;
    user_id: string | null;
    transformation_type: string;
    parameters: Record<string, unknown>;
    status: Status;
    progress_percent: number;
    created_at: string;
    started_at: string | null;
    completed_at: string | null;
    processing_time_ms: number | null;
    error_message: string | null;
  };
  source_file: { id: string; original_name: string; mime_type: string; file_type: string } | null;
  output_file: OutputFile | null;
}
interface JobList {
  transformations: Job[];
  pagination: { page: number; limit: number; total: number; pages: number };
}
interface Accepted {
  transformation: { id: string; status: Status; progress_percent: number; estimated_completion: string };
  queue_position: number;
}

interface Field {
  name: string;
  label: string;
  kind: 'int' | 'select' | 'bool';
  options?: string[];
  initial?: string;
  min?: number;
  max?: number;
}

const IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'gif'];
const VIDEO_FORMATS = ['mp4', 'webm', 'mov', 'gif'];
const AUDIO_FORMATS = ['mp3', 'aac', 'ogg'];
const int = (name: string, label: string, min: number, max: number, initial = ''): Field => ({ name, label, kind: 'int', min, max, initial });
const select = (name: string, label: string, options: string[], initial = ''): Field => ({ name, label, kind: 'select', options, initial });

/** The seed's transformation matrix (002, plus 003's audio variants): what applies to which kind of file, and its parameters. */
const MATRIX: Record<string, { label: string; kinds: Kind[]; fields: (kind: Kind) => Field[] }> = {
  image_resize: {
    label: 'Resize (image)',
    kinds: ['image'],
    fields: () => [
      int('width', 'Width (px)', 1, 16384, '160'),
      int('height', 'Height (px)', 1, 16384, '100'),
      select('fit', 'Fit', ['contain', 'cover', 'fill', 'inside', 'outside']),
      { name: 'maintain_aspect_ratio', label: 'Keep the aspect ratio', kind: 'bool', initial: 'true' },
      select('format', 'Format', IMAGE_FORMATS),
      int('quality', 'Quality (1–100)', 1, 100),
    ],
  },
  video_resize: { label: 'Resize (video)', kinds: ['video'], fields: () => [int('width', 'Width (px)', 1, 16384, '640'), int('height', 'Height (px)', 1, 16384), select('format', 'Format', VIDEO_FORMATS, 'mp4')] },
  format_conversion: {
    label: 'Convert the format',
    kinds: ['image', 'video', 'audio'],
    fields: (kind) => [select('format', 'Format', kind === 'image' ? IMAGE_FORMATS : kind === 'video' ? VIDEO_FORMATS : AUDIO_FORMATS, kind === 'image' ? 'webp' : kind === 'video' ? 'webm' : 'mp3')],
  },
  compression: { label: 'Compress', kinds: ['image'], fields: () => [int('quality', 'Quality (1–100)', 1, 100, '75')] },
  thumbnail_generation: {
    label: 'Thumbnail',
    kinds: ['image', 'video', 'document'],
    fields: (kind) => (kind === 'video' ? [int('width', 'Width (px)', 1, 4096, '200'), { name: 'at_seconds', label: 'At (seconds)', kind: 'int', min: 0, max: 86400, initial: '1' }] : [int('width', 'Width (px)', 1, 16384, '200'), int('height', 'Height (px)', 1, 16384, '200')]),
  },
  bitrate_adjustment: {
    label: 'Adjust the bitrate',
    kinds: ['video', 'audio'],
    fields: (kind) => (kind === 'video' ? [int('video_bitrate_kbps', 'Video bitrate (kbps)', 50, 100000, '500'), select('format', 'Format', VIDEO_FORMATS, 'mp4')] : [int('bitrate_kbps', 'Bitrate (kbps)', 32, 512, '96'), select('format', 'Format', AUDIO_FORMATS, 'mp3')]),
  },
  audio_quality: { label: 'Audio quality', kinds: ['audio'], fields: () => [int('bitrate_kbps', 'Bitrate (kbps)', 32, 512, '128'), select('format', 'Format', AUDIO_FORMATS, 'mp3')] },
  waveform_generation: {
    label: 'Waveform',
    kinds: ['audio', 'video'],
    fields: () => [int('points', 'Points', 10, 100000, '1000'), select('output', 'Output', ['json', 'png'], 'png'), int('width', 'Width (px, PNG)', 16, 8192), int('height', 'Height (px, PNG)', 16, 2048)],
  },
  text_extraction: { label: 'Extract the text', kinds: ['document'], fields: () => [] },
  ocr: { label: 'OCR (text in an image)', kinds: ['image'], fields: () => [] },
};

const LIVE: Status[] = ['queued', 'processing'];
const STATUSES: Status[] = ['queued', 'processing', 'completed', 'failed', 'cancelled'];
const PAGE_SIZE = 20;

export function Transformations() {
  const admin = session()?.role === 'admin';
  const [files, setFiles] = useState<StoredFile[] | null>(null);
  const [fileId, setFileId] = useState('');
  const [type, setType] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [outputName, setOutputName] = useState('');
  const [list, setList] = useState<JobList | null>(null);
  const [page, setPage] = useState(1);
  const [statusFilter, setStatusFilter] = useState('');
  const [mineOnly, setMineOnly] = useState(false);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [queuePositions, setQueuePositions] = useState<Record<string, number>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api<{ files: StoredFile[] }>('/api/v1/storage/files?limit=100&page=1')
      .then((l) => {
        setFiles(l.files);
        if (l.files[0]) setFileId((current) => current || l.files[0]!.id);
      })
      .catch(setError);
  }, []);

  const query = () => {
    const q = new URLSearchParams({ page: String(page), limit: String(PAGE_SIZE) });
    if (statusFilter) q.set('status', statusFilter);
    if (admin && mineOnly) q.set('user_id', session()!.userId);
    return `/api/v1/storage/transform?${q}`;
  };
  const load = async () => {
    try {
      setList(await api<JobList>(query()));
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    load();
  }, [page, statusFilter, mineOnly]);
  const live = list?.transformations.some((j) => LIVE.includes(j.transformation.status)) ?? false;
  usePoll(live, 500, load);

  const file = files?.find((f) => f.id === fileId) ?? null;
  const kind: Kind = file ? (file.mime_type === 'image/svg+xml' ? 'other' : file.file_type) : 'other';
  const types = Object.entries(MATRIX).filter(([, m]) => m.kinds.includes(kind));
  const fields = type && MATRIX[type] ? MATRIX[type].fields(kind) : [];

  // A new file or type: the type's defaults.
  useEffect(() => {
    if (!types.some(([t]) => t === type)) setType(types[0]?.[0] ?? '');
  }, [fileId, files]);
  useEffect(() => {
    setValues(Object.fromEntries(fields.map((f) => [f.name, f.initial ?? ''])));
  }, [type, kind]);

  const start = async (e: Event) => {
    e.preventDefault();
    if (!file || !type) return;
    const parameters: Record<string, unknown> = {};
    for (const f of fields) {
      const v = (values[f.name] ?? '').trim();
      if (v === '') continue;
      parameters[f.name] = f.kind === 'int' ? Number(v) : f.kind === 'bool' ? v === 'true' : v;
    }
    setBusy(true);
    try {
      const accepted = await api<Accepted>('/api/v1/storage/transform', {
        method: 'POST',
        body: JSON.stringify({ source_file_id: file.id, transformation_type: type, parameters, ...(outputName.trim() ? { output_name: outputName.trim() } : {}) }),
      });
      const id = accepted.transformation.id;
      setQueuePositions((q) => ({ ...q, [id]: accepted.queue_position }));
      // The job just started opens with its details, to follow it to its output.
      setOpen((o) => new Set(o).add(id));
      setError(null);
      if (page !== 1 || statusFilter) {
        setStatusFilter('');
        setPage(1);
      } else {
        await load();
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const cancel = async (id: string) => {
    try {
      await api(`/api/v1/storage/transform/${id}`, { method: 'DELETE' });
    } catch (err) {
      setError(err);
    }
    await load();
  };
  const toggle = (id: string) => {
    const next = new Set(open);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setOpen(next);
  };

  const p = list?.pagination;
  return (
    <section class="page" aria-labelledby="transformations-title">
      <h1 id="transformations-title">Transformations</h1>
      <ErrorNote error={error} onClose={() => setError(null)} />
      <form class="panel transform-form" onSubmit={start} aria-labelledby="transform-form-title">
        <h2 id="transform-form-title">Start a transformation</h2>
        {files && files.length === 0 && <p class="muted">No files yet: upload one on the Files page first.</p>}
        <div class="fields">
          <label>
            File
            <select name="source_file_id" value={fileId} onChange={(e) => setFileId((e.target as HTMLSelectElement).value)}>
              {files?.map((f) => <option value={f.id}>{f.original_name} ({f.file_type}, {formatBytes(f.size_bytes)})</option>)}
            </select>
          </label>
          <label>
            Transformation
            <select name="transformation_type" value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)} disabled={types.length === 0}>
              {types.map(([t, m]) => <option value={t}>{m.label} ({t})</option>)}
            </select>
          </label>
          {fields.map((f) => (
            <label key={`${type}-${f.name}`} class={f.kind === 'bool' ? 'check' : ''}>
              {f.kind === 'bool' ? (
                <input type="checkbox" name={f.name} checked={values[f.name] === 'true'} onChange={(e) => setValues({ ...values, [f.name]: String((e.target as HTMLInputElement).checked) })} />
              ) : null}
              {f.label}
              {f.kind === 'int' && (
                <input type="number" name={f.name} min={f.min} max={f.max} value={values[f.name] ?? ''} onInput={(e) => setValues({ ...values, [f.name]: (e.target as HTMLInputElement).value })} placeholder="default" />
              )}
              {f.kind === 'select' && (
                <select name={f.name} value={values[f.name] ?? ''} onChange={(e) => setValues({ ...values, [f.name]: (e.target as HTMLSelectElement).value })}>
                  <option value="">default</option>
                  {f.options!.map((o) => <option value={o}>{o}</option>)}
                </select>
              )}
            </label>
          ))}
          <label>
            Output name <input value={outputName} onInput={(e) => setOutputName((e.target as HTMLInputElement).value)} placeholder="(derived from the source)" />
          </label>
        </div>
        {file && types.length === 0 && <p class="muted">No transformation applies to a {file.mime_type} file.</p>}
        <button type="submit" disabled={busy || !file || !type}>{busy ? 'Starting…' : 'Start'}</button>
      </form>
      <h2 id="jobs-title">{admin && !mineOnly ? 'Every user\'s transformations' : 'Your transformations'}</h2>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select name="status" value={statusFilter} onChange={(e) => { setStatusFilter((e.target as HTMLSelectElement).value); setPage(1); }}>
            <option value="">any</option>
            {STATUSES.map((st) => <option value={st}>{st}</option>)}
          </select>
        </label>
        {admin && (
          <label class="check"><input type="checkbox" checked={mineOnly} onChange={(e) => { setMineOnly((e.target as HTMLInputElement).checked); setPage(1); }} /> Mine only</label>
        )}
        <button type="button" class="small" onClick={load}>Refresh</button>
        {p && <span class="muted small-text" data-testid="job-count">{p.total} transformation{p.total === 1 ? '' : 's'}</span>}
      </form>
      {list && list.transformations.length === 0 && <p class="muted">No transformations{statusFilter ? ` ${statusFilter}` : ''} yet.</p>}
      <ul class="job-list" aria-labelledby="jobs-title">
        {list?.transformations.map((j) => (
          <JobRow
            key={j.transformation.id}
            job={j}
            showOwner={admin && !mineOnly}
            queuePosition={queuePositions[j.transformation.id] ?? null}
            open={open.has(j.transformation.id)}
            onToggle={() => toggle(j.transformation.id)}
            onCancel={() => cancel(j.transformation.id)}
          />
        ))}
      </ul>
      {p && p.pages > 1 && (
        <nav class="pager" aria-label="Transformation pages">
          <button type="button" class="small" disabled={page <= 1} onClick={() => setPage(page - 1)}>Previous</button>
          <span>Page {p.page} of {p.pages}</span>
          <button type="button" class="small" disabled={page >= p.pages} onClick={() => setPage(page + 1)}>Next</button>
        </nav>
      )}
    </section>
  );
}

function JobRow({ job, showOwner, queuePosition, open, onToggle, onCancel }: { job: Job; showOwner: boolean; queuePosition: number | null; open: boolean; onToggle: () => void; onCancel: () => void }) {
  const t = job.transformation;
  const source = job.source_file?.original_name ?? `${t.source_file_id.slice(0, 8)}… (gone)`;
  const detailsId = `job-details-${t.id}`;
  return (
    <li class="job" data-job={t.transformation_type} data-status={t.status} data-id={t.id}>
      <div class="upload-head">
        <span class="upload-name">{t.transformation_type}</span>
        <span class="muted" data-testid="job-source">of {source}</span>
        <span class={`status-tag ${t.status}`} data-testid="job-status">{t.status}</span>
        <span class="upload-percent" data-testid="job-percent">{percentText(t.progress_percent)}</span>
        <span class="muted small-text"><time dateTime={t.created_at}>{new Date(t.created_at).toLocaleString()}</time>{showOwner && t.user_id ? ` · user ${t.user_id.slice(0, 8)}…` : ''}</span>
      </div>
      <progress max={100} value={t.progress_percent} aria-label={`${t.transformation_type} of ${source}: progress`} />
      {t.status === 'queued' && queuePosition !== null && <p class="muted small-text">Position in the queue when started: {queuePosition}</p>}
      {t.status === 'failed' && <p class="error-inline" role="status">Failed: {t.error_message ?? 'no message'}</p>}
      <div class="row-actions">
        <button type="button" class="small" aria-expanded={open} aria-controls={detailsId} onClick={onToggle}>{open ? 'Hide details' : 'Details'}</button>
        {LIVE.includes(t.status) && <button type="button" class="small" onClick={onCancel}>Cancel</button>}
      </div>
      {open && (
        <div id={detailsId} class="job-details" data-testid="job-details">
          <dl class="meta">
            <dt>Id</dt><dd><code>{t.id}</code></dd>
            <dt>Parameters</dt><dd><code>{JSON.stringify(t.parameters)}</code></dd>
            {t.started_at && <><dt>Started</dt><dd>{new Date(t.started_at).toLocaleString()}</dd></>}
            {t.completed_at && <><dt>{t.status === 'completed' ? 'Completed' : 'Ended'}</dt><dd>{new Date(t.completed_at).toLocaleString()}</dd></>}
          </dl>
          {t.status === 'completed' && job.output_file && <Output output={job.output_file} took={t.processing_time_ms} />}
          {t.status === 'completed' && !job.output_file && <p class="muted">The output file is gone.</p>}
        </div>
      )}
    </li>
  );
}

type PreviewKind = 'image' | 'video' | 'audio' | 'pdf' | 'text' | null;

function previewKind(mime: string): PreviewKind {
  if (mime.startsWith('image/')) return 'image';
  if (mime.startsWith('video/')) return 'video';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime === 'application/pdf') return 'pdf';
  if (mime.startsWith('text/') || mime === 'application/json' || mime.endsWith('+json')) return 'text';
  return null;
}

/** Text outputs (extracted text, OCR, waveform JSON) are shown up to this many characters. */
const TEXT_SHOWN = 20_000;

function Output({ output, took }: { output: OutputFile; took: number | null }) {
  const kind = previewKind(output.mime_type);
  // PDFs and text are read whole (a blob); images, audio and video through /stream (Range, seeking).
  const { url, error } = useMediaUrl(kind && kind !== 'text' ? output.id : null, kind === 'pdf');
  const [text, setText] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  useEffect(() => {
    if (kind !== 'text') return;
    request(streamUrl(output.id))
      .then((res) => res.text())
      .then(setText)
      .catch(setFailure);
  }, [output.id]);
  const download = async () => {
    try {
      const res = await request(`/api/v1/storage/download/${output.id}`);
      downloadBlob(await res.blob(), output.original_name);
    } catch (err) {
      setFailure(err);
    }
  };
  const label = `Output ${output.original_name}`;
  return (
    <div class="job-output">
      <p>
        Output: <strong data-testid="output-name">{output.original_name}</strong> ({output.mime_type}, {formatBytes(output.size_bytes)}){took !== null ? `, in ${took} ms` : ''}{' '}
        <button type="button" class="small" onClick={download}>Download</button>
        {kind === 'pdf' && url && <>{' '}<a class="small" href={url} target="_blank" rel="noopener">Open the PDF</a></>}
      </p>
      {kind === 'image' && url && <img class="preview output" src={url} alt={label} data-testid="output-image" />}
      {kind === 'video' && url && <video class="preview output" src={url} controls preload="metadata" aria-label={label} data-testid="output-video" />}
      {kind === 'audio' && url && <audio src={url} controls preload="metadata" aria-label={label} data-testid="output-audio" />}
      {kind === 'pdf' && url && <iframe class="preview pdf" src={url} title={label} data-testid="output-pdf" />}
      {kind === 'text' && text !== null && (
        <pre class="output-text" data-testid="output-text" tabIndex={0} aria-label={label}>{text.length > TEXT_SHOWN ? `${text.slice(0, TEXT_SHOWN)}\n… (${text.length - TEXT_SHOWN} more characters: download it)` : text}</pre>
      )}
      {kind === null && <p class="muted">No preview for {output.mime_type}: download it.</p>}
      {kind !== null && kind !== 'text' && !url && !error && <p class="muted">Loading the preview…</p>}
      <ErrorNote error={error ?? failure} />
    </div>
  );
}
