import type { CdnPurger } from '../../application/ports/cdn.port';
import type { CdnTarget } from '../../domain/storage/cdn';
import { callProvider, hostAndPath, inBatches, sleep, syncFailed, type ProviderAnswer } from './provider-http';

export interface CloudflareCdnPurgerOptions {
  zoneId: string;
  /** An API token with the Zone / Cache Purge permission (sent as a Bearer token, never logged). */
  apiToken: string;
  apiUrl?: string;
  /** Deadline of each API call. */
  timeoutMs?: number;
  /** The longest Retry-After a 429 is waited out for (once); a longer one fails at once. */
  maxRetryAfterMs?: number;
}

/**
 * "Purge cache by prefix": at most 30 prefixes per API call (developers.cloudflare.com/cache/how-to/
 * purge-cache/purge_by_prefix, the tightest per-request limit Cloudflare documents across plans).
 */
export const CLOUDFLARE_PREFIXES_PER_CALL = 30;

interface CloudflareEnvelope {
  success?: boolean;
  errors?: { code?: number; message?: string }[];
}

/**
 * Cloudflare, through POST /zones/{zone_id}/purge_cache. It purges by prefix (`host/path`, no scheme,
 * no query string, as documented) rather than by URL: single-file purge matches the exact cache key,
 * query string included, so it would leave every signed variant of a private file cached.
 */
export class CloudflareCdnPurger implements CdnPurger {
  readonly provider = 'cloudflare' as const;
  private readonly endpoint: string;
  private readonly timeoutMs: number;
  private readonly maxRetryAfterMs: number;

  constructor(private readonly options: CloudflareCdnPurgerOptions) {
    const apiUrl = (options.apiUrl ?? 'https://api.cloudflare.com/client/v4').replace(/\/+$/, '');
    this.endpoint = `${apiUrl}/zones/${encodeURIComponent(options.zoneId)}/purge_cache`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
  }

  async purge(targets: CdnTarget[]): Promise<number> {
    const prefixes = [...new Set(targets.map((t) => {
      const { host, path } = hostAndPath(t);
      return `${host}${path}`;
    }))];
    for (const batch of inBatches(prefixes, CLOUDFLARE_PREFIXES_PER_CALL)) await this.purgePrefixes(batch);
    return targets.length;
  }

  private async purgePrefixes(prefixes: string[]): Promise<void> {
    let answer = await this.send(prefixes);
    if (answer.status === 429) {
      const waitMs = retryAfterMs(answer.headers.get('retry-after'));
      if (waitMs === null || waitMs > this.maxRetryAfterMs) throw this.refused(answer, 'rate limited');
      await sleep(waitMs);
      answer = await this.send(prefixes);
    }
    const envelope = (answer.body ?? {}) as CloudflareEnvelope;
    // Both matter: a 2xx may still carry success:false, and an error status may carry no envelope at all.
    if (answer.status < 200 || answer.status >= 300 || envelope.success !== true) throw this.refused(answer, 'refused');
  }

  private send(prefixes: string[]): Promise<ProviderAnswer> {
    return callProvider(
      this.provider,
      this.endpoint,
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${this.options.apiToken}`, 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ prefixes }),
      },
      this.timeoutMs,
      [this.options.apiToken],
    );
  }

  private refused(answer: ProviderAnswer, what: string) {
    const errors = ((answer.body as CloudflareEnvelope | undefined)?.errors ?? []).map((e) => ({ code: e.code, message: e.message }));
    const listed = errors.map((e) => `${e.code ?? '?'} ${e.message ?? ''}`.trim()).join('; ');
    const retryAfter = answer.status === 429 ? answer.headers.get('retry-after') : null;
    return syncFailed(
      this.provider,
      `${what} (HTTP ${answer.status}${listed ? `: ${listed}` : ''}${retryAfter ? `, retry after ${retryAfter}s` : ''})`,
      { http_status: answer.status, errors },
      [this.options.apiToken],
    );
  }
}

/** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
function retryAfterMs(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}
