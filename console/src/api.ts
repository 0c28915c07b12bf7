/** The console's only way to the service: the public API, with the signed-in token as a Bearer header. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly requestId: string | null,
  ) {
    super(message);
  }
}

export interface Session {
  token: string;
  role: string;
  userId: string;
  email: string | null;
  expiresAt: number | null;
}

const KEY = 'vb.console.token';
let current: Session | null = null;
const listeners = new Set<() => void>();

function decode(token: string): Session {
  const part = token.split('.')[1];
  if (!part) throw new Error('This is not a JWT (expected three dot-separated parts)');
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    throw new Error('The token\'s payload is not readable JSON');
  }
  return {
    token,
    role: String(claims['role'] ?? 'user'),
    userId: String(claims['sub'] ?? ''),
    email: typeof claims['email'] === 'string' ? claims['email'] : null,
    expiresAt: typeof claims['exp'] === 'number' ? claims['exp'] * 1000 : null,
  };
}

export function session(): Session | null {
  return current;
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function announce(): void {
  navigator.serviceWorker?.controller?.postMessage({ type: 'token', token: current?.token ?? null });
  for (const l of listeners) l();
}

export function signIn(token: string): Session {
  const s = decode(token.trim());
  current = s;
  sessionStorage.setItem(KEY, s.token);
  announce();
  return s;
}

export function signOut(): void {
  current = null;
  sessionStorage.removeItem(KEY);
  announce();
}

export function restoreSession(): void {
  const kept = sessionStorage.getItem(KEY);
  if (!kept) return;
  try {
    const s = decode(kept);
    if (s.expiresAt === null || s.expiresAt > Date.now()) current = s;
    else sessionStorage.removeItem(KEY);
  } catch {
    sessionStorage.removeItem(KEY);
  }
}

/** The service worker adds the token to media requests; it asks for it when it has none. */
export async function startMediaWorker(): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (event.data?.type === 'token?') event.ports[0]?.postMessage({ token: current?.token ?? null });
  });
  try {
    await navigator.serviceWorker.register('/console/sw.js', { scope: '/console/' });
    await navigator.serviceWorker.ready;
    // The first load is claimed by the worker a moment after it activates.
    if (!navigator.serviceWorker.controller) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 3_000);
        navigator.serviceWorker.addEventListener('controllerchange', () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
    }
    announce();
  } catch {
    // Without a secure context (plain HTTP to a remote host) previews fall back to blob URLs.
  }
}

export function mediaWorkerActive(): boolean {
  return Boolean(navigator.serviceWorker?.controller);
}

export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (current) headers.set('Authorization', `Bearer ${current.token}`);
  if (init.body && typeof init.body === 'string' && !headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers });
  } catch (error) {
    throw new ApiError(`The service could not be reached (${(error as Error).message})`, 0, 'NETWORK_ERROR', null);
  }
  if (res.ok || res.status === 304) return res;
  const requestId = res.headers.get('x-request-id');
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string; request_id?: string } };
    if (body.error) throw new ApiError(body.error.message ?? res.statusText, res.status, body.error.code ?? 'ERROR', body.error.request_id ?? requestId);
  } catch (error) {
    if (error instanceof ApiError) throw error;
  }
  throw new ApiError(text.slice(0, 200) || res.statusText || `HTTP ${res.status}`, res.status, `HTTP_${res.status}`, requestId);
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await request(path, init);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 && i > 0 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
