import { z } from 'zod';
import { optionalText, optionalUrl } from './env-fields';
import type { CdnProvider } from '../domain/storage/cdn';

/** The CDN part of config.ts: which CDNs sit in front of the /cdn/ origin routes, and their purge APIs. */

const PROVIDERS = ['none', 'varnish', 'cloudflare', 'azure_cdn'] as const;

export const cdnEnv = {
  CDN_PROVIDERS: z
    .string()
    .default('none')
    .transform((v) => [...new Set(v.split(',').map((p) => p.trim()).filter(Boolean))])
    .pipe(z.array(z.enum(PROVIDERS, { message: `expected a comma-separated list of ${PROVIDERS.join(', ')}` }))),
  CDN_BASE_URL: optionalUrl,
  CDN_PURGE_CONCURRENCY: z.coerce.number({ message: 'expected a whole number' }).int('expected a whole number').min(0).max(32).default(2),
  CDN_CACHE_TTL: z.coerce.number({ message: 'expected a number of seconds' }).int('expected whole seconds').min(1).max(31_536_000).default(86_400),
  VARNISH_URL: optionalUrl,
  VARNISH_NAME: optionalText,
  CLOUDFLARE_ZONE_ID: optionalText,
  CLOUDFLARE_API_TOKEN: optionalText,
  CLOUDFLARE_API_URL: optionalUrl,
  AZURE_CDN_ENDPOINT: optionalUrl,
  AZURE_CDN_SUBSCRIPTION_ID: optionalText,
  AZURE_CDN_RESOURCE_GROUP: optionalText,
  AZURE_CDN_PROFILE: optionalText,
  AZURE_CDN_ENDPOINT_NAME: optionalText,
  AZURE_TENANT_ID: optionalText,
  AZURE_CLIENT_ID: optionalText,
  AZURE_CLIENT_SECRET: optionalText,
  AZURE_MANAGEMENT_URL: optionalUrl,
  AZURE_LOGIN_URL: optionalUrl,
};

export const CDN_SECRET_VARIABLES = ['CLOUDFLARE_API_TOKEN', 'AZURE_CLIENT_SECRET'];

const cdnSchema = z.object(cdnEnv);
type CdnEnv = z.output<typeof cdnSchema>;

export interface CdnConfig {
  /** Empty: none (the origin's cache headers speak to browsers only). */
  providers: Exclude<CdnProvider, 'none'>[];
  /** Public base of urls.cdn / urls.thumbnail: the CDN's host, or the service itself. */
  baseUrl: string;
  /** s-maxage of revalidated CDN responses (thumbnail aliases), and how long a cdn_cache row is expected to live. */
  cacheTtlSeconds: number;
  /** Purge workers in this process (0: queue only). */
  purgeConcurrency: number;
  /** varnish: its HTTP address (bans) and, when set, the -n name whose log varnishncsa reads for hits. */
  varnish: { url: string; name?: string } | null;
  cloudflare: { zoneId: string; apiToken: string; apiUrl?: string } | null;
  azure: {
    tenantId: string; clientId: string; clientSecret: string; subscriptionId: string;
    resourceGroup: string; profile: string; endpoint: string; managementUrl?: string; loginUrl?: string;
  } | null;
}

export function cdnConfig(e: CdnEnv, publicBaseUrl: string, problems: string[]): CdnConfig {
  const providers = e.CDN_PROVIDERS.filter((p): p is Exclude<CdnProvider, 'none'> => p !== 'none');
  const want = (p: string) => providers.includes(p as Exclude<CdnProvider, 'none'>);
  const need = (provider: string, vars: Record<string, string | undefined>) => {
    const missing = Object.entries(vars).filter(([, v]) => !v).map(([k]) => k);
    if (missing.length > 0) problems.push(`CDN_PROVIDERS: ${provider} needs ${missing.join(', ')}`);
    return missing.length === 0;
  };
  const varnishOk = want('varnish') && need('varnish', { VARNISH_URL: e.VARNISH_URL });
  const cloudflareOk = want('cloudflare') && need('cloudflare', { CLOUDFLARE_ZONE_ID: e.CLOUDFLARE_ZONE_ID, CLOUDFLARE_API_TOKEN: e.CLOUDFLARE_API_TOKEN });
  const azureVars = {
    AZURE_TENANT_ID: e.AZURE_TENANT_ID, AZURE_CLIENT_ID: e.AZURE_CLIENT_ID, AZURE_CLIENT_SECRET: e.AZURE_CLIENT_SECRET,
    AZURE_CDN_SUBSCRIPTION_ID: e.AZURE_CDN_SUBSCRIPTION_ID, AZURE_CDN_RESOURCE_GROUP: e.AZURE_CDN_RESOURCE_GROUP,
    AZURE_CDN_PROFILE: e.AZURE_CDN_PROFILE, AZURE_CDN_ENDPOINT_NAME: e.AZURE_CDN_ENDPOINT_NAME,
  };
  const azureOk = want('azure_cdn') && need('azure_cdn', azureVars);
  return {
    providers,
    baseUrl: (e.CDN_BASE_URL ?? e.AZURE_CDN_ENDPOINT ?? publicBaseUrl).replace(/\/+$/, ''),
    cacheTtlSeconds: e.CDN_CACHE_TTL,
    purgeConcurrency: e.CDN_PURGE_CONCURRENCY,
    varnish: varnishOk ? { url: e.VARNISH_URL!, ...(e.VARNISH_NAME ? { name: e.VARNISH_NAME } : {}) } : null,
    cloudflare: cloudflareOk ? { zoneId: e.CLOUDFLARE_ZONE_ID!, apiToken: e.CLOUDFLARE_API_TOKEN!, ...(e.CLOUDFLARE_API_URL ? { apiUrl: e.CLOUDFLARE_API_URL } : {}) } : null,
    azure: azureOk
      ? {
          tenantId: e.AZURE_TENANT_ID!, clientId: e.AZURE_CLIENT_ID!, clientSecret: e.AZURE_CLIENT_SECRET!,
          subscriptionId: e.AZURE_CDN_SUBSCRIPTION_ID!, resourceGroup: e.AZURE_CDN_RESOURCE_GROUP!,
          profile: e.AZURE_CDN_PROFILE!, endpoint: e.AZURE_CDN_ENDPOINT_NAME!,
          ...(e.AZURE_MANAGEMENT_URL ? { managementUrl: e.AZURE_MANAGEMENT_URL } : {}),
          ...(e.AZURE_LOGIN_URL ? { loginUrl: e.AZURE_LOGIN_URL } : {}),
        }
      : null,
  };
}
