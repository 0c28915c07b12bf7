import { useEffect, useState } from 'preact/hooks';
import { api, session } from '../api';
import { ErrorNote } from '../error-note';

interface Entry {
  id: string;
  occurred_at?: string;
  created_at?: string;
  actor: { sub: string | null; role: string | null; service_name: string | null };
  action: string;
  target: { type: string; id: string | null };
  request_id: string | null;
  outcome: string;
  chain_seq: string | null;
}
interface AuditPage {
  entries: Entry[];
  pagination: { limit: number; page: number | null; total: number | null; next_cursor: string | null };
}
interface Verification {
  status: 'ok' | 'broken';
  checked: number;
  unchained: number;
  broken_at?: string;
  reason?: string;
}

const LIMIT = 25;

/** The audit trail (admins: everyone's, with the chain check; users: their own activity). */
export function Audit() {
  const isAdmin = session()!.role === 'admin';
  const [action, setAction] = useState('');
  const [outcome, setOutcome] = useState('');
  const [actor, setActor] = useState('');
  const [page, setPage] = useState(1);
  const [data, setData] = useState<AuditPage | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [verification, setVerification] = useState<Verification | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    const q = new URLSearchParams({ page: String(page), limit: String(LIMIT) });
    if (action.trim()) q.set('action', action.trim());
    if (outcome.trim()) q.set('outcome', outcome.trim());
    if (isAdmin && actor.trim()) q.set('actor', actor.trim());
    let stale = false;
    api<AuditPage>(`${isAdmin ? '/api/v1/audit' : '/api/v1/audit/me'}?${q}`)
      .then((d) => {
        if (stale) return;
        setData(d);
        setError(null);
      })
      .catch((err) => !stale && setError(err));
    return () => {
      stale = true;
    };
  }, [action, outcome, actor, page, reloads]);

  const verify = async () => {
    setVerifying(true);
    try {
      setVerification(await api<Verification>('/api/v1/audit/verify'));
    } catch (err) {
      setError(err);
    } finally {
      setVerifying(false);
    }
  };

  const total = data?.pagination.total ?? null;
  const pages = total === null ? 1 : Math.max(1, Math.ceil(total / LIMIT));
  return (
    <section class="page" aria-labelledby="audit-title">
      <h1 id="audit-title">{isAdmin ? 'Audit trail' : 'My activity'}</h1>
      {isAdmin && (
        <div class="verify">
          <button type="button" onClick={verify} disabled={verifying}>{verifying ? 'Verifying the chain…' : 'Verify the chain'}</button>
          {verification && (
            <p class={verification.status === 'ok' ? 'ok' : 'error'} role="status" data-testid="verification">
              {verification.status === 'ok'
                ? `Chain intact: ${verification.checked} entries checked (${verification.unchained} not linked yet).`
                : `Chain broken at entry ${verification.broken_at} (${verification.reason}).`}
            </p>
          )}
        </div>
      )}
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>Action <input value={action} onChange={(e) => { setAction((e.target as HTMLInputElement).value); setPage(1); }} placeholder="file.upload" /></label>
        <label>Outcome <input value={outcome} onChange={(e) => { setOutcome((e.target as HTMLInputElement).value); setPage(1); }} placeholder="success or an error code" /></label>
        {isAdmin && <label>Actor (sub) <input value={actor} onChange={(e) => { setActor((e.target as HTMLInputElement).value); setPage(1); }} size={36} /></label>}
        <button type="button" class="small" onClick={() => setReloads((n) => n + 1)}>Refresh</button>
      </form>
      <ErrorNote error={error} onClose={() => setError(null)} />
      <div class="table-wrap">
        <table class="audit">
          <thead>
            <tr><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Outcome</th><th scope="col">Request id</th></tr>
          </thead>
          <tbody>
            {data?.entries.map((e) => (
              <tr data-action={e.action}>
                <td>{new Date(e.occurred_at ?? e.created_at ?? '').toLocaleString()}</td>
                <td class="mono">{e.actor.role ?? ''} {e.actor.sub ? e.actor.sub.slice(0, 8) : e.actor.service_name ?? ''}</td>
                <td>{e.action}</td>
                <td class="mono">{e.target.type}{e.target.id ? ` ${e.target.id.slice(0, 8)}…` : ''}</td>
                <td class={e.outcome === 'success' ? 'ok' : 'error-inline'}>{e.outcome}</td>
                <td class="mono">{e.request_id ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {data && data.entries.length === 0 && <p class="muted">No entries.</p>}
      <nav class="pager" aria-label="Pages of entries">
        <button type="button" class="small" disabled={page <= 1} onClick={() => setPage(page - 1)}>Previous</button>
        <span>Page {page} of {pages}{total !== null ? ` (${total} entries)` : ''}</span>
        <button type="button" class="small" disabled={page >= pages} onClick={() => setPage(page + 1)}>Next</button>
      </nav>
    </section>
  );
}
