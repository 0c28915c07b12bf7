import { useEffect, useState } from 'preact/hooks';
import { api, formatBytes, request } from '../api';
import { ErrorNote } from '../error-note';
import { useMediaUrl } from '../media';
import { downloadBlob, percentText, usePoll } from '../poll';
import type { StoredFile } from './files';

type Kind = StoredFile['file_type'];
type Status = 'queued' | 'processing' | 'completed' | 'failed' | 'cancelled';

interface JobStatus {
  transformation: {
    id: string;
    source_file_id: string;
    target_file_id: string | null;
    transformation_type: string;
    status: Status;
    progress_percent: number;
    started_at: string | null;
    completed_at: string | null;
    processing_time_ms: number | null;
    error_message: string | null;
  };
  output_file: { id: string; original_name: string; mime_type: string; size_bytes: number } | null;
}
interface Accepted {
  transformation: { id: string; status: Status; progress_percent: number; estimated_completion: string };
  queue_position: number;
}
interface Job {
  id: string;
  type: string;
  source: string;
  queuePosition: number | null;
  status: JobStatus | null;
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

const FINAL: Status[] = ['completed', 'failed', 'cancelled'];
const KEY = 'vb.console.transformations';

function kept(): Job[] {
  try {
    const list = JSON.parse(sessionStorage.getItem(KEY) ?? '[]') as Job[];
    return Array.isArray(list) ? list.slice(0, 20) : [];
  } catch {
    return [];
  }
}

export function Transformations() {
  const [files, setFiles] = useState<StoredFile[] | null>(null);
  const [fileId, setFileId] = useState('');
  const [type, setType] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [outputName, setOutputName] = useState('');
  const [jobs, setJobs] = useState<Job[]>(kept);
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
  useEffect(() => sessionStorage.setItem(KEY, JSON.stringify(jobs)), [jobs]);

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

  const refresh = async () => {
    const open = jobs.filter((j) => !j.status || !FINAL.includes(j.status.transformation.status));
    if (open.length === 0) return;
    const updates = await Promise.all(
      open.map((j) =>
        api<JobStatus>(`/api/v1/storage/transform/${j.id}`)
          .then((status) => [j.id, status] as const)
          .catch((err) => {
            setError(err);
            return null;
          }),
      ),
    );
    setJobs((list) => list.map((j) => {
      const found = updates.find((u) => u?.[0] === j.id);
      return found ? { ...j, status: found[1] } : j;
    }));
  };
  const polling = jobs.some((j) => !j.status || !FINAL.includes(j.status.transformation.status));
  usePoll(polling, 400, refresh);

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
      setJobs((list) => [{ id: accepted.transformation.id, type, source: file.original_name, queuePosition: accepted.queue_position, status: null }, ...list].slice(0, 20));
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const cancel = async (id: string) => {
    try {
      const status = await api<JobStatus>(`/api/v1/storage/transform/${id}`, { method: 'DELETE' });
      setJobs((list) => list.map((j) => (j.id === id ? { ...j, status } : j)));
    } catch (err) {
      setError(err);
    }
  };

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
      <h2>Jobs</h2>
      {jobs.length === 0 && <p class="muted">No transformation started from this tab yet.</p>}
      <ul class="job-list" aria-label="Transformation jobs">
        {jobs.map((j) => <JobRow job={j} onCancel={() => cancel(j.id)} />)}
      </ul>
      {jobs.some((j) => j.status && FINAL.includes(j.status.transformation.status)) && (
        <button type="button" class="small" onClick={() => setJobs(jobs.filter((j) => !j.status || !FINAL.includes(j.status.transformation.status)))}>Clear finished jobs</button>
      )}
    </section>
  );
}

function JobRow({ job, onCancel }: { job: Job; onCancel: () => void }) {
  const t = job.status?.transformation;
  const status: Status = t?.status ?? 'queued';
  const percent = t?.progress_percent ?? 0;
  const output = job.status?.output_file ?? null;
  return (
    <li class="job" data-job={job.type} data-status={status}>
      <div class="upload-head">
        <span class="upload-name">{job.type}</span>
        <span class="muted">of {job.source}</span>
        <span class={`status-tag ${status}`} data-testid="job-status">{status}</span>
        <span class="upload-percent" data-testid="job-percent">{percentText(percent)}</span>
      </div>
      <progress max={100} value={percent} aria-label={`${job.type} of ${job.source}: progress`} />
      {status === 'queued' && job.queuePosition !== null && <p class="muted small-text">Position in the queue when started: {job.queuePosition}</p>}
      {status === 'failed' && <p class="error-inline" role="status">Failed: {t?.error_message ?? 'no message'}</p>}
      {(status === 'queued' || status === 'processing') && (
        <button type="button" class="small" onClick={onCancel}>Cancel</button>
      )}
      {status === 'completed' && output && <Output output={output} took={t?.processing_time_ms ?? null} />}
    </li>
  );
}

function Output({ output, took }: { output: NonNullable<JobStatus['output_file']>; took: number | null }) {
  const image = output.mime_type.startsWith('image/');
  const { url, error } = useMediaUrl(image ? output.id : null);
  const [failure, setFailure] = useState<unknown>(null);
  const download = async () => {
    try {
      const res = await request(`/api/v1/storage/download/${output.id}`);
      downloadBlob(await res.blob(), output.original_name);
    } catch (err) {
      setFailure(err);
    }
  };
  return (
    <div class="job-output">
      <p>
        Output: <strong data-testid="output-name">{output.original_name}</strong> ({output.mime_type}, {formatBytes(output.size_bytes)}){took !== null ? `, in ${took} ms` : ''}{' '}
        <button type="button" class="small" onClick={download}>Download</button>
      </p>
      {image && url && <img class="preview output" src={url} alt={`Output ${output.original_name}`} data-testid="output-image" />}
      <ErrorNote error={error ?? failure} />
    </div>
  );
}
