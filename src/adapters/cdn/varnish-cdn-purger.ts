import type { CdnPurger } from '../../application/ports/cdn.port';
import type { CdnTarget } from '../../domain/storage/cdn';
import { CdnSyncFailed } from '../../domain/storage/errors';

export interface VarnishCdnPurgerOptions {
  /** Varnish's HTTP address, e.g. http://127.0.0.1:6081; user:password in it becomes Basic auth. */
  url: string;
  /** Per BAN request; default 5000. */
  timeoutMs?: number;
  /** Paths per BAN (one regex alternation); default 50, which keeps the header well under 8 KB. */
  pathsPerBan?: number;
}

/** The request header deploy/varnish/default.vcl bans by. */
export const BAN_HEADER = 'X-Ban-Path';

/**
 * Purges through the BAN method of deploy/varnish/default.vcl: one ban per batch of paths, each
 * path anchored so that it covers every query string it was cached under (signed URLs) and nothing
 * longer (`/cdn/thumbnails/ab` never bans `/cdn/thumbnails/abc`).
 */
export class VarnishCdnPurger implements CdnPurger {
  readonly provider = 'varnish' as const;
  private readonly endpoint: string;
  private readonly authorization: string | undefined;
  private readonly timeoutMs: number;
  private readonly pathsPerBan: number;

  constructor(options: VarnishCdnPurgerOptions) {
    const url = new URL(options.url);
    // fetch refuses URLs with credentials; they travel as a header instead.
    this.authorization = url.username
      ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
      : undefined;
    url.username = '';
    url.password = '';
    url.pathname = '/';
    url.search = '';
    url.hash = '';
    this.endpoint = url.toString();
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.pathsPerBan = Math.max(1, options.pathsPerBan ?? 50);
  }

  async purge(targets: CdnTarget[]): Promise<number> {
    const paths = [...new Set(targets.map((t) => t.path))];
    for (let i = 0; i < paths.length; i += this.pathsPerBan) {
      await this.ban(banRegex(paths.slice(i, i + this.pathsPerBan)));
    }
    return targets.length;
  }

  private async ban(regex: string): Promise<void> {
    const headers: Record<string, string> = { [BAN_HEADER]: regex };
    if (this.authorization) headers.authorization = this.authorization;
    let response: Response;
    try {
      response = await fetch(this.endpoint, { method: 'BAN', headers, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      // Neither the URL nor fetch's message: the cause's code says enough (ECONNREFUSED, timeout).
      const reason = causeCode(error);
      throw new CdnSyncFailed(`varnish: ban request failed (${reason})`, { provider: 'varnish', reason });
    }
    await response.body?.cancel();
    if (response.status !== 200) {
      throw new CdnSyncFailed(`varnish: ban refused with HTTP ${response.status}`, { provider: 'varnish', status: response.status });
    }
  }
}

/** ^(?:p1|p2|...)(?:\?|$), each path escaped: matched against the cached URL, query string included. */
export function banRegex(paths: string[]): string {
  const alternatives = paths.map(escapeRegex).join('|');
  return `^(?:${alternatives})(?:\\?|$)`;
}

/**
 * Metacharacters get a backslash; anything outside printable ASCII, and the quote, becomes \xHH
 * bytes (UTF-8): the VCL refuses whitespace and quotes in the header, and headers are bytes anyway.
 */
function escapeRegex(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (byte <= 0x20 || byte >= 0x7f || c === '"') out += `\\x${byte.toString(16).padStart(2, '0')}`;
    else if ('\\^$.*+?()[]{}|'.includes(c)) out += `\\${c}`;
    else out += c;
  }
  return out;
}

function causeCode(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timeout';
    const cause = (error as { cause?: { code?: unknown } }).cause;
    if (cause && typeof cause.code === 'string') return cause.code;
    return error.name;
  }
  return 'unknown';
}
