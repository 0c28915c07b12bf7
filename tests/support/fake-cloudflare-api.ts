import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { parseJson, sendJson, startFakeServer, type RecordedRequest } from './fake-provider-server';

export interface FakeCloudflareOptions {
  zoneId: string;
  apiToken: string;
  /** The zone's public host, as in the CDN URLs (`cdn.example.test`). */
  host: string;
}

type Refusal = 'success-false' | 'server-error';
type Trouble = { kind: 'refuse'; how: Refusal } | { kind: 'rate-limit'; retryAfterSeconds: number } | { kind: 'hang' };

/** What one call may carry: "Maximum 30 prefixes per API call" (purge by prefix), 30 URLs by single-file purge. */
const PER_CALL = 30;
const MAX_PATH_SEPARATORS = 31;

/**
 * Cloudflare's Purge Cached Content endpoint (POST /client/v4/zones/{zone_id}/purge_cache), strict
 * about what the documentation asks: Bearer token, JSON body with one purge kind, prefixes as
 * `host/path` without scheme, query string or fragment, at most 30 items. Anything else gets the
 * `{success:false, errors:[{code, message}]}` envelope (codes as Cloudflare answers them, to our
 * best knowledge) and purges nothing. Behind it, a cache of `host/path?query` keys.
 */
export class FakeCloudflareApi {
  purgeCalls = 0;
  private readonly cached = new Set<string>();
  private readonly trouble: Trouble[] = [];

  private constructor(
    private readonly options: FakeCloudflareOptions,
    private readonly server: Awaited<ReturnType<typeof startFakeServer>>,
  ) {}

  static async start(options: FakeCloudflareOptions): Promise<FakeCloudflareApi> {
    let fake: FakeCloudflareApi | undefined;
    const server = await startFakeServer((req, res) => fake!.handle(req, res));
    fake = new FakeCloudflareApi(options, server);
    return fake;
  }

  get apiUrl(): string {
    return `${this.server.url}/client/v4`;
  }

  get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  /** The JSON bodies of the purge calls, in order. */
  purgeBodies(): Record<string, unknown>[] {
    return this.requests.filter((r) => r.url.endsWith('/purge_cache')).map((r) => parseJson(r.body) as Record<string, unknown>);
  }

  prime(path: string, query?: string): void {
    this.cached.add(this.key(path, query));
  }

  isCached(path: string, query?: string): boolean {
    return this.cached.has(this.key(path, query));
  }

  refuseNext(how: Refusal = 'success-false'): void {
    this.trouble.push({ kind: 'refuse', how });
  }

  rateLimitNext(retryAfterSeconds: number): void {
    this.trouble.push({ kind: 'rate-limit', retryAfterSeconds });
  }

  /** The next purge call gets no answer at all. */
  hangNext(): void {
    this.trouble.push({ kind: 'hang' });
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private key(path: string, query?: string): string {
    return `${this.options.host}${path}${query ? `?${query}` : ''}`;
  }

  private handle(req: RecordedRequest, res: ServerResponse): void {
    const route = /^\/client\/v4\/zones\/([^/?]+)\/purge_cache$/.exec(req.url);
    if (!route) return fail(res, 400, 7000, 'No route for that URI');
    this.purgeCalls += 1;
    if (req.method !== 'POST') return fail(res, 405, 7001, 'Method not allowed for this endpoint');
    const auth = req.headers.authorization;
    if (!auth) return fail(res, 400, 9106, 'Missing X-Auth-Key, X-Auth-Email or Authorization headers');
    if (auth !== `Bearer ${this.options.apiToken}`) return fail(res, 403, 10000, 'Authentication error');
    if (decodeURIComponent(route[1]!) !== this.options.zoneId) return fail(res, 400, 7003, `Could not route to ${req.url}, perhaps your object identifier is invalid?`);
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return fail(res, 400, 6003, 'Invalid request headers');
    const body = parseJson(req.body);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(res, 400, 6007, 'Malformed JSON in request body');
    const kinds = Object.keys(body);
    if (kinds.length !== 1 || !['prefixes', 'files'].includes(kinds[0]!)) {
      return fail(res, 400, 1012, 'Request must contain exactly one of "files" or "prefixes" (the kinds this fake models)');
    }
    const items = (body as Record<string, unknown>)[kinds[0]!];
    if (!Array.isArray(items) || items.length === 0 || !items.every((i) => typeof i === 'string' && i.length > 0)) {
      return fail(res, 400, 1012, `"${kinds[0]}" must be a non-empty list of strings`);
    }
    if (items.length > PER_CALL) return fail(res, 400, 1012, `Purge requests are limited to ${PER_CALL} ${kinds[0]} per request`);
    const invalid = kinds[0] === 'prefixes' ? items.find((p: string) => !this.validPrefix(p)) : items.find((u: string) => !this.validFile(u));
    if (invalid !== undefined) return fail(res, 400, 1012, `Invalid ${kinds[0] === 'prefixes' ? 'prefix' : 'url'}: ${invalid}`);

    const trouble = this.trouble.shift();
    if (trouble?.kind === 'hang') return; // never answered: the adapter's deadline must fire
    if (trouble?.kind === 'rate-limit') {
      return sendJson(res, 429, envelope(false, [{ code: 971, message: 'Please wait and consider throttling your request speed' }]), {
        'Retry-After': String(trouble.retryAfterSeconds),
      });
    }
    if (trouble?.kind === 'refuse' && trouble.how === 'server-error') {
      return void res.writeHead(502, { 'Content-Type': 'text/html' }).end('<html><body>502 Bad Gateway</body></html>');
    }
    if (trouble?.kind === 'refuse') return sendJson(res, 200, envelope(false, [{ code: 1134, message: 'Purge request could not be processed' }]));

    for (const item of items as string[]) {
      if (kinds[0] === 'files') this.cached.delete(item.replace(/^https?:\/\//, ''));
      else for (const key of [...this.cached]) if (key.startsWith(item)) this.cached.delete(key);
    }
    sendJson(res, 200, { ...envelope(true, []), result: { id: randomBytes(16).toString('hex') } });
  }

  /** `host/path`: no scheme, no query string or fragment, a host of this zone, at most 31 path separators. */
  private validPrefix(prefix: string): boolean {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(prefix) || /[?#]/.test(prefix) || prefix.startsWith('/')) return false;
    const host = prefix.split('/')[0];
    return host === this.options.host && prefix.split('/').length - 1 <= MAX_PATH_SEPARATORS;
  }

  private validFile(url: string): boolean {
    try {
      const parsed = new URL(url);
      return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.host === this.options.host;
    } catch {
      return false;
    }
  }
}

function envelope(success: boolean, errors: { code: number; message: string }[]) {
  return { success, errors, messages: [], result: null };
}

function fail(res: ServerResponse, status: number, code: number, message: string): void {
  sendJson(res, status, envelope(false, [{ code, message }]));
}
