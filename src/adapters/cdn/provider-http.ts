import type { CdnProvider, CdnTarget } from '../../domain/storage/cdn';
import { CdnSyncFailed } from '../../domain/storage/errors';

/** One answer of a provider's REST API; `body` is the parsed JSON, or undefined when there was none. */
export interface ProviderAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/**
 * Calls a provider with a deadline. Every failure to get an answer (refused, reset, too slow)
 * becomes CdnSyncFailed, and `secrets` are scrubbed from anything a message could carry.
 */
export async function callProvider(
  provider: CdnProvider,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  secrets: string[],
): Promise<ProviderAnswer> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const name = (error as { name?: unknown } | null)?.name;
    const timedOut = name === 'TimeoutError' || name === 'AbortError';
    throw syncFailed(provider, timedOut ? `no answer within ${timeoutMs} ms` : `unreachable (${describe(error)})`, {}, secrets);
  }
  // The deadline covers the body too: a provider that sends headers and then stalls is as bad as a silent one.
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw syncFailed(provider, `answer cut off (${describe(error)})`, { http_status: response.status }, secrets);
  }
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined; // a proxy's HTML error page: the status alone speaks
  }
  return { status: response.status, headers: response.headers, body };
}

export function syncFailed(provider: CdnProvider, reason: string, details: Record<string, unknown>, secrets: string[]): CdnSyncFailed {
  return new CdnSyncFailed(redact(`${provider} purge failed: ${reason}`, secrets), JSON.parse(redact(JSON.stringify({ provider, ...details }), secrets)));
}

/** Defence in depth: providers sometimes echo what they were sent. */
export function redact(text: string, secrets: string[]): string {
  return secrets.filter((s) => s.length > 0).reduce((out, s) => out.split(s).join('[redacted]'), text);
}

/** The cacheable URL without query string or fragment: what both providers purge by. */
export function hostAndPath(target: CdnTarget): { host: string; path: string } {
  const url = new URL(target.url);
  return { host: url.host, path: url.pathname };
}

export function inBatches<T>(items: T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Duck-typed: fetch's errors come from another realm under test runners, so instanceof Error can fail. */
function describe(error: unknown): string {
  const outer = error as { cause?: unknown; message?: unknown } | null;
  const inner = (outer?.cause ?? outer) as { code?: unknown; message?: unknown } | null;
  if (typeof inner?.code === 'string') return inner.code;
  if (typeof inner?.message === 'string') return inner.message;
  return String(error);
}
