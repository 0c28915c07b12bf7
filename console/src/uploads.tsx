import { useEffect, useState } from 'preact/hooks';
import * as tus from 'tus-js-client';
import { formatBytes, session } from './api';

/** Chunks of this size: a reload or a dropped connection loses at most one chunk's bytes. */
const CHUNK_BYTES = 5 * 1024 * 1024;

interface Item {
  key: string;
  name: string;
  size: number;
  percent: number;
  status: 'uploading' | 'paused' | 'done' | 'failed';
  error?: string;
  /** Where a resumed upload picked up (percent), when it resumed a previous one. */
  resumedAt?: number;
  upload: tus.Upload;
}

interface Stored {
  name: string;
  size: number;
}

/** tus uploads of dropped or picked files, each with its own progress bar, pause and resume. */
export function Uploads({ onComplete }: { onComplete: () => void }) {
  const [items, setItems] = useState<Item[]>([]);
  const [over, setOver] = useState(false);
  const [interrupted, setInterrupted] = useState<Stored[]>([]);

  const refreshInterrupted = async () => {
    const all = await tus.defaultOptions.urlStorage.findAllUploads().catch(() => []);
    setInterrupted(all.map((u) => ({ name: String(u.metadata?.['filename'] ?? '?'), size: Number(u.size ?? 0) })));
  };
  useEffect(() => {
    void refreshInterrupted();
  }, []);

  const update = (key: string, change: Partial<Item>) => setItems((list) => list.map((i) => (i.key === key ? { ...i, ...change } : i)));

  const start = async (file: File) => {
    const key = `${file.name}-${file.size}-${Date.now()}-${Math.random()}`;
    let first = true;
    const upload = new tus.Upload(file, {
      endpoint: '/api/v1/storage/tus',
      chunkSize: CHUNK_BYTES,
      retryDelays: [0, 1000, 3000, 5000],
      metadata: { filename: file.name, filetype: file.type || 'application/octet-stream' },
      headers: { Authorization: `Bearer ${session()?.token ?? ''}` },
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onProgress(sent, total) {
        const percent = total > 0 ? Math.floor((sent / total) * 100) : 0;
        update(key, { percent });
        first = false;
      },
      onSuccess() {
        update(key, { percent: 100, status: 'done' });
        void refreshInterrupted();
        onComplete();
      },
      onError(error) {
        const body = (error as tus.DetailedError).originalResponse?.getBody();
        let message = error.message.split('\n')[0] ?? 'upload failed';
        try {
          const parsed = body ? (JSON.parse(body) as { error?: { message?: string; request_id?: string } }) : null;
          if (parsed?.error?.message) message = `${parsed.error.message} (request id ${parsed.error.request_id ?? '—'})`;
        } catch {
          // Not the standard error body: keep tus-js-client's message.
        }
        update(key, { status: 'failed', error: message });
      },
    });
    setItems((list) => [...list, { key, name: file.name, size: file.size, percent: 0, status: 'uploading', upload }]);
    const previous = await upload.findPreviousUploads();
    if (previous[0]) {
      upload.resumeFromPreviousUpload(previous[0]);
      // The offset is known once the server answers HEAD: the first progress report tells it.
      const onResumed = upload.options.onProgress;
      upload.options.onProgress = (sent, total) => {
        if (first) update(key, { resumedAt: total > 0 ? Math.floor((sent / total) * 100) : 0 });
        onResumed?.(sent, total);
      };
    }
    upload.start();
  };

  const addFiles = (files: FileList | null | undefined) => {
    for (const f of Array.from(files ?? [])) void start(f);
  };

  return (
    <div class="uploads">
      <div
        class={`dropzone${over ? ' over' : ''}`}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          addFiles(e.dataTransfer?.files);
        }}
      >
        <p>Drop files here to upload them (resumable), or</p>
        <label class="button">
          choose files
          <input type="file" multiple class="visually-hidden" onChange={(e) => addFiles((e.target as HTMLInputElement).files)} />
        </label>
      </div>
      {interrupted.length > 0 && (
        <p class="notice" data-testid="interrupted">
          Interrupted uploads: {interrupted.map((u) => `${u.name} (${formatBytes(u.size)})`).join(', ')}. Drop the same file again to resume it.
        </p>
      )}
      {items.length > 0 && (
        <ul class="upload-list" aria-label="Uploads">
          {items.map((i) => (
            <li data-upload={i.name} data-status={i.status}>
              <div class="upload-head">
                <span class="upload-name">{i.name}</span>
                <span class="muted">{formatBytes(i.size)}</span>
                {i.resumedAt !== undefined && <span class="tag" data-testid="resumed">resumed at {i.resumedAt} %</span>}
                <span class="upload-percent">{i.percent} %</span>
              </div>
              <progress max={100} value={i.percent} aria-label={`Upload of ${i.name}`} />
              <div class="upload-actions">
                {i.status === 'uploading' && (
                  <button type="button" class="small" onClick={() => { void i.upload.abort(); update(i.key, { status: 'paused' }); }}>Pause</button>
                )}
                {(i.status === 'paused' || i.status === 'failed') && (
                  <button type="button" class="small" onClick={() => { i.upload.start(); update(i.key, { status: 'uploading', error: undefined }); }}>Resume</button>
                )}
                {i.status === 'done' && <span class="ok">Uploaded</span>}
                {i.error && <span class="error-inline" role="alert">{i.error}</span>}
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
