import { useState } from 'preact/hooks';
import { ApiError } from './api';

/** An API failure as a person reads it: the message, the code, and the request id to quote. */
export function ErrorNote({ error, onClose }: { error: unknown; onClose?: () => void }) {
  const [copied, setCopied] = useState(false);
  if (!error) return null;
  const api = error instanceof ApiError ? error : null;
  const message = error instanceof Error ? error.message : String(error);
  const copy = async () => {
    if (!api?.requestId) return;
    try {
      await navigator.clipboard.writeText(api.requestId);
    } catch {
      const range = document.createRange();
      const node = document.getElementById(`rid-${api.requestId}`);
      if (node) {
        range.selectNodeContents(node);
        getSelection()?.removeAllRanges();
        getSelection()?.addRange(range);
      }
    }
    setCopied(true);
  };
  return (
    <div class="error" role="alert">
      <div>
        <strong>{api ? `${api.code} (${api.status || 'no answer'})` : 'Error'}</strong>: <span class="error-message">{message}</span>
      </div>
      {api?.requestId && (
        <div class="request-id">
          Request id: <code id={`rid-${api.requestId}`}>{api.requestId}</code>{' '}
          <button type="button" class="small" onClick={copy}>{copied ? 'Copied' : 'Copy'}</button>
        </div>
      )}
      {onClose && <button type="button" class="small link" onClick={onClose} aria-label="Dismiss the error">Dismiss</button>}
    </div>
  );
}
