import { ConfigError, loadConfig } from '../../src/infrastructure/config';
import { cdnPurgers, cdnTrafficSource } from '../../src/infrastructure/bindings/cdn-adapters';
import { RecordingLogger } from '../support/recording-logger';

const load = (env: Record<string, string>) => loadConfig(env, { projectRoot: '/srv/visiobook', version: '1.2.3' });

function problemsOf(env: Record<string, string>): string {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

const AZURE = {
  AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: 'azure-client-secret-value',
  AZURE_CDN_SUBSCRIPTION_ID: 's', AZURE_CDN_RESOURCE_GROUP: 'rg', AZURE_CDN_PROFILE: 'p', AZURE_CDN_ENDPOINT_NAME: 'e',
};

describe('CDN configuration', () => {
  it('defaults to no CDN: URLs on the service itself, purges by the none adapter, traffic counted by the origin', () => {
    const { cdn } = load({ PUBLIC_BASE_URL: 'https://api.example.com/' });
    expect(cdn).toMatchObject({ providers: [], baseUrl: 'https://api.example.com', cacheTtlSeconds: 86_400, purgeConcurrency: 2, varnish: null, cloudflare: null, azure: null });
    expect(cdnPurgers(cdn).map((p) => p.provider)).toEqual(['none']);
    expect(cdnTrafficSource(cdn, new RecordingLogger())).toBeNull();
  });

  it('builds one purger per configured CDN, and reads Varnish\'s log only with VARNISH_NAME', () => {
    const { cdn } = load({
      CDN_PROVIDERS: 'varnish, cloudflare,azure_cdn',
      VARNISH_URL: 'http://127.0.0.1:6081',
      CLOUDFLARE_ZONE_ID: 'zone',
      CLOUDFLARE_API_TOKEN: 'token',
      AZURE_CDN_ENDPOINT: 'https://visiobook.azureedge.net',
      ...AZURE,
    });
    expect(cdn.baseUrl).toBe('https://visiobook.azureedge.net');
    expect(cdnPurgers(cdn).map((p) => p.provider)).toEqual(['varnish', 'cloudflare', 'azure_cdn']);
    expect(cdnTrafficSource(cdn, new RecordingLogger())).toBeNull();
    const withLog = load({ CDN_PROVIDERS: 'varnish', VARNISH_URL: 'http://127.0.0.1:6081', VARNISH_NAME: 'edge', CDN_BASE_URL: 'https://cdn.example.com' }).cdn;
    expect(withLog.baseUrl).toBe('https://cdn.example.com');
    expect(cdnTrafficSource(withLog, new RecordingLogger())).not.toBeNull();
  });

  it('refuses an unknown provider, a provider without its settings, and bad numbers, never echoing a secret', () => {
    expect(problemsOf({ CDN_PROVIDERS: 'akamai' })).toContain('CDN_PROVIDERS');
    expect(problemsOf({ CDN_PROVIDERS: 'varnish' })).toContain('varnish needs VARNISH_URL');
    expect(problemsOf({ CDN_PROVIDERS: 'cloudflare', CLOUDFLARE_API_TOKEN: 'cf-secret-token' })).toContain('cloudflare needs CLOUDFLARE_ZONE_ID');
    const azure = problemsOf({ CDN_PROVIDERS: 'azure_cdn', ...AZURE, AZURE_CDN_PROFILE: '' });
    expect(azure).toContain('azure_cdn needs AZURE_CDN_PROFILE');
    expect(azure).not.toContain('azure-client-secret-value');
    expect(problemsOf({ CDN_CACHE_TTL: '-5' })).toContain('CDN_CACHE_TTL');
    expect(problemsOf({ CDN_PURGE_CONCURRENCY: 'many' })).toContain('CDN_PURGE_CONCURRENCY');
    expect(problemsOf({ VARNISH_URL: 'ftp://x' })).toContain('VARNISH_URL');
  });
});
