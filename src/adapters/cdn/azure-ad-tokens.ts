import { callProvider, syncFailed } from './provider-http';

export interface AzureAdTokenOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  loginUrl: string;
  timeoutMs: number;
}

/** Renew this long before expiry, so a token never lapses between the check and Resource Manager's. */
const RENEW_MARGIN_MS = 5 * 60_000;

/**
 * Resource Manager tokens by the OAuth 2.0 client credentials grant on the Microsoft identity
 * platform v2.0 endpoint (scope `https://management.azure.com/.default`), kept until shortly
 * before they expire; callers that ask at the same moment share one token request.
 */
export class AzureAdTokens {
  private cached: { token: string; renewAt: number } | null = null;
  private pending: Promise<string> | null = null;

  constructor(private readonly options: AzureAdTokenOptions) {}

  async get(): Promise<string> {
    if (this.cached && Date.now() < this.cached.renewAt) return this.cached.token;
    this.pending ??= this.request().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  forget(): void {
    this.cached = null;
  }

  /** What must never show in an error message, alongside the client secret. */
  current(): string[] {
    return this.cached ? [this.cached.token] : [];
  }

  private async request(): Promise<string> {
    const { tenantId, clientId, clientSecret, loginUrl, timeoutMs } = this.options;
    const url = `${loginUrl.replace(/\/+$/, '')}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      scope: 'https://management.azure.com/.default',
    });
    const answer = await callProvider(
      'azure_cdn',
      url,
      { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' }, body: form.toString() },
      timeoutMs,
      [clientSecret],
    );
    const body = (answer.body ?? {}) as { access_token?: string; expires_in?: number | string; error?: string; error_codes?: number[] };
    if (answer.status !== 200 || typeof body.access_token !== 'string') {
      // error_description is left out: it can quote the request, and the `error` code and AADSTS numbers say enough.
      const codes = body.error_codes?.length ? ` AADSTS${body.error_codes.join(', AADSTS')}` : '';
      throw syncFailed(
        'azure_cdn',
        `no Azure AD token (HTTP ${answer.status}${body.error ? `: ${body.error}` : ''}${codes})`,
        { http_status: answer.status, error_code: body.error ?? null },
        [clientSecret],
      );
    }
    const lifetimeMs = Number(body.expires_in ?? 0) * 1000;
    // A short-lived token (tests, or a policy) is kept for half its life rather than not at all.
    const renewAt = Date.now() + (lifetimeMs > 2 * RENEW_MARGIN_MS ? lifetimeMs - RENEW_MARGIN_MS : lifetimeMs / 2);
    this.cached = { token: body.access_token, renewAt };
    return body.access_token;
  }
}
