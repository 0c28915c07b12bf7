import type { CdnPurger } from '../../application/ports/cdn.port';
import type { CdnTarget } from '../../domain/storage/cdn';
import { callProvider, hostAndPath, inBatches, sleep, syncFailed, type ProviderAnswer } from './provider-http';
import { AzureAdTokens } from './azure-ad-tokens';

export interface AzureCdnPurgerOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  subscriptionId: string;
  resourceGroup: string;
  profile: string;
  endpoint: string;
  managementUrl?: string;
  loginUrl?: string;
  /** Deadline of each HTTP call. */
  timeoutMs?: number;
  /** Pause between two looks at the purge operation (Azure takes minutes; tests take milliseconds). */
  pollIntervalMs?: number;
  /** How long a purge may stay in progress before it counts as failed (Azure documents up to 10 minutes). */
  pollTimeoutMs?: number;
}

/** Endpoints - Purge Content, REST API version 2024-02-01 (learn.microsoft.com/rest/api/cdn/endpoints/purge-content). */
export const AZURE_CDN_API_VERSION = '2024-02-01';
/**
 * Paths per purge call. The REST reference sets no maximum; 50 is the lowest per-request figure
 * reported for any Azure CDN tier, so a batch never depends on which tier the profile runs.
 */
export const AZURE_CDN_PATHS_PER_CALL = 50;

interface ArmError {
  error?: { code?: string; message?: string };
}

/**
 * Azure CDN (classic endpoints) over Azure Resource Manager. Purges by exact path: Azure documents
 * that a path purge ignores query strings and removes every query-string variant of the path.
 */
export class AzureCdnPurger implements CdnPurger {
  readonly provider = 'azure_cdn' as const;
  private readonly purgeUrl: string;
  private readonly origin: string;
  private readonly tokens: AzureAdTokens;
  private readonly timeoutMs: number;

  constructor(private readonly options: AzureCdnPurgerOptions) {
    const management = (options.managementUrl ?? 'https://management.azure.com').replace(/\/+$/, '');
    const seg = encodeURIComponent;
    this.purgeUrl =
      `${management}/subscriptions/${seg(options.subscriptionId)}/resourceGroups/${seg(options.resourceGroup)}` +
      `/providers/Microsoft.Cdn/profiles/${seg(options.profile)}/endpoints/${seg(options.endpoint)}/purge?api-version=${AZURE_CDN_API_VERSION}`;
    this.origin = new URL(management).origin;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.tokens = new AzureAdTokens({ ...options, loginUrl: options.loginUrl ?? 'https://login.microsoftonline.com', timeoutMs: this.timeoutMs });
  }

  async purge(targets: CdnTarget[]): Promise<number> {
    const paths = [...new Set(targets.map((t) => hostAndPath(t).path))];
    for (const batch of inBatches(paths, AZURE_CDN_PATHS_PER_CALL)) await this.purgeBatch(batch);
    return targets.length;
  }

  private async purgeBatch(contentPaths: string[]): Promise<void> {
    const body = JSON.stringify({ contentPaths });
    let answer = await this.call(this.purgeUrl, 'POST', body);
    if (answer.status === 401) {
      // A token revoked or rotated before its expiry: one fresh token, one more try.
      this.tokens.forget();
      answer = await this.call(this.purgeUrl, 'POST', body);
    }
    if (answer.status === 200) return;
    if (answer.status !== 202) throw this.failed(answer, 'refused');
    const asyncOperation = answer.headers.get('azure-asyncoperation');
    const location = answer.headers.get('location');
    // 202 without a monitor URL: accepted, with nothing to follow.
    if (asyncOperation) await this.follow(asyncOperation, 'status');
    else if (location) await this.follow(location, 'location');
  }

  /** ARM long-running operations: the Azure-AsyncOperation body carries a status; a Location answers 202 until done. */
  private async follow(monitorUrl: string, kind: 'status' | 'location'): Promise<void> {
    // The bearer token only ever goes back to Resource Manager.
    if (new URL(monitorUrl).origin !== this.origin) throw syncFailed(this.provider, 'operation monitor outside Resource Manager', {}, this.secrets());
    const deadline = Date.now() + (this.options.pollTimeoutMs ?? 15 * 60_000);
    while (Date.now() < deadline) {
      await sleep(this.options.pollIntervalMs ?? 5_000);
      const answer = await this.call(monitorUrl, 'GET');
      if (kind === 'location') {
        if (answer.status === 202) continue;
        if (answer.status === 200 || answer.status === 204) return;
        throw this.failed(answer, 'operation failed');
      }
      if (answer.status !== 200) throw this.failed(answer, 'operation status unreadable');
      const status = (answer.body as { status?: string } | undefined)?.status;
      if (status === 'Succeeded') return;
      if (status === 'Failed' || status === 'Canceled') throw this.failed(answer, `operation ${status}`);
    }
    throw syncFailed(this.provider, 'operation still in progress at the deadline', {}, this.secrets());
  }

  private async call(url: string, method: 'GET' | 'POST', body?: string): Promise<ProviderAnswer> {
    const token = await this.tokens.get();
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return callProvider(this.provider, url, { method, headers, ...(body !== undefined ? { body } : {}) }, this.timeoutMs, this.secrets());
  }

  private failed(answer: ProviderAnswer, what: string) {
    const error = (answer.body as ArmError | undefined)?.error;
    const reason = `${what} (HTTP ${answer.status}${error?.code ? `: ${error.code}` : ''}${error?.message ? ` ${error.message}` : ''})`;
    return syncFailed(this.provider, reason, { http_status: answer.status, error_code: error?.code ?? null }, this.secrets());
  }

  private secrets(): string[] {
    return [this.options.clientSecret, ...this.tokens.current()];
  }
}
