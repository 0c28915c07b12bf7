import { useEffect, useState } from 'preact/hooks';
import { api, signIn } from '../api';
import { ErrorNote } from '../error-note';

/** Paste a token, or (development only) mint one for the development user or admin. */
export function SignIn() {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [devAvailable, setDevAvailable] = useState(false);
  useEffect(() => {
    api<{ paths: Record<string, unknown> }>('/api/v1/openapi.json')
      .then((doc) => setDevAvailable('/api/v1/dev/token' in doc.paths))
      .catch(() => setDevAvailable(false));
  }, []);
  const submit = (e: Event) => {
    e.preventDefault();
    try {
      signIn(token);
    } catch (err) {
      setError(err);
    }
  };
  const dev = async (role: 'user' | 'admin') => {
    try {
      const minted = await api<{ token: string }>('/api/v1/dev/token', { method: 'POST', body: JSON.stringify({ role }) });
      signIn(minted.token);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <main class="sign-in">
      <h1>Sign in to the console</h1>
      <form onSubmit={submit}>
        <label for="token">Access token (JWT)</label>
        <textarea id="token" rows={5} value={token} onInput={(e) => setToken((e.target as HTMLTextAreaElement).value)} placeholder="eyJhbGciOi…" autocomplete="off" spellcheck={false} />
        <p class="hint">Kept in this tab only (sessionStorage); get one with <code>npm run token -- --role admin</code>.</p>
        <button type="submit" disabled={!token.trim()}>Sign in</button>
      </form>
      {devAvailable && (
        <div class="dev">
          <h2>Development</h2>
          <button type="button" onClick={() => dev('admin')}>Sign in as development admin</button>
          <button type="button" onClick={() => dev('user')}>Sign in as development user</button>
        </div>
      )}
      <ErrorNote error={error} onClose={() => setError(null)} />
    </main>
  );
}
