import { ConfigError, loadConfig } from '../../src/infrastructure/config';

const load = (env: Record<string, string>) => loadConfig(env, { projectRoot: '/srv/visiobook', version: '1.0.0' });
const problemsOf = (env: Record<string, string>) => {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
};

describe('lease configuration', () => {
  it('defaults: 300 s TTL capped at 3600 s, 120 s idle, 10 leases per caller, reaper every second', () => {
    expect(load({}).leases).toEqual({ defaultTtlSeconds: 300, maxTtlSeconds: 3_600, idleTimeoutSeconds: 120, maxPerCaller: 10, reapIntervalMs: 1_000 });
  });

  it('reads every variable', () => {
    const config = load({
      LEASE_DEFAULT_TTL_SECONDS: '60',
      LEASE_MAX_TTL_SECONDS: '600',
      LEASE_IDLE_TIMEOUT_SECONDS: '30',
      LEASE_MAX_PER_CALLER: '2',
      LEASE_REAP_INTERVAL_MS: '250',
      INSTANCE_ID: 'pod-7f9c',
    });
    expect(config.leases).toEqual({ defaultTtlSeconds: 60, maxTtlSeconds: 600, idleTimeoutSeconds: 30, maxPerCaller: 2, reapIntervalMs: 250 });
    expect(config.instanceId).toBe('pod-7f9c');
  });

  it('gives each process a random instance id unless INSTANCE_ID is set', () => {
    const [a, b] = [load({}).instanceId, load({}).instanceId];
    expect(a).toMatch(/^[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
  });

  it('refuses a default TTL above the cap, and bad values, naming the variable', () => {
    expect(problemsOf({ LEASE_DEFAULT_TTL_SECONDS: '7200' })).toEqual([expect.stringMatching(/^LEASE_DEFAULT_TTL_SECONDS: expected at most LEASE_MAX_TTL_SECONDS/)]);
    expect(problemsOf({ LEASE_MAX_PER_CALLER: '0' })).toEqual([expect.stringMatching(/^LEASE_MAX_PER_CALLER: /)]);
    expect(problemsOf({ LEASE_IDLE_TIMEOUT_SECONDS: 'soon' })).toEqual([expect.stringMatching(/^LEASE_IDLE_TIMEOUT_SECONDS: /)]);
    // An underscore would make lease ids ambiguous (conn_<instance>_<random>).
    expect(problemsOf({ INSTANCE_ID: 'pod_1' })).toEqual([expect.stringMatching(/^INSTANCE_ID: expected 1 to 32 letters, digits or dashes/)]);
  });
});

describe('lease forwarding configuration', () => {
  const BACKUP_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');
  const production = { NODE_ENV: 'production', JWT_SECRET: 'j'.repeat(32), BACKUP_ENCRYPTION_KEY, DATABASE_URL: 'postgresql://app@db/app', REDIS_URL: 'redis://cache:6379' };

  it('defaults: a free loopback port, its own address announced, the secret derived', () => {
    expect(load({}).internal).toEqual({ host: '127.0.0.1', port: 0, advertiseUrl: undefined, secret: undefined, heartbeatMs: 5_000, ttlSeconds: 15 });
  });

  it('reads INTERNAL_PORT, INTERNAL_ADVERTISE_URL (listening on every interface then) and INTERNAL_SECRET', () => {
    const config = load({ INTERNAL_PORT: '7001', INTERNAL_ADVERTISE_URL: 'http://10.0.0.5:7001/', INTERNAL_SECRET: 's'.repeat(40) });
    expect(config.internal).toMatchObject({ host: '0.0.0.0', port: 7001, advertiseUrl: 'http://10.0.0.5:7001', secret: 's'.repeat(40) });
  });

  it('gives each cluster worker its own id even with one INSTANCE_ID', () => {
    const asWorker = (env: Record<string, string>, clusterWorkerId: number) => loadConfig(env, { projectRoot: '/srv/visiobook', version: '1.0.0', clusterWorkerId });
    expect(asWorker({ INSTANCE_ID: 'pod-7f9c' }, 3).instanceId).toBe('pod-7f9c-w3');
    expect(asWorker({ INSTANCE_ID: 'p'.repeat(32) }, 12).instanceId).toBe(`${'p'.repeat(28)}-w12`);
    expect(load({ INSTANCE_ID: 'pod-7f9c' }).instanceId).toBe('pod-7f9c');
  });

  it('requires INTERNAL_SECRET in production once forwarding spans machines or workers, never echoing it', () => {
    expect(() => load(production)).not.toThrow();
    expect(problemsOf({ ...production, INTERNAL_ADVERTISE_URL: 'http://10.0.0.5' })).toEqual([expect.stringMatching(/^INTERNAL_SECRET: required in production/)]);
    expect(problemsOf({ ...production, WORKERS: '2' })).toEqual([expect.stringMatching(/^INTERNAL_SECRET: required in production/)]);
    expect(load({ ...production, WORKERS: '2', INTERNAL_SECRET: 's'.repeat(32) }).internal.secret).toBe('s'.repeat(32));
    const short = problemsOf({ INTERNAL_SECRET: 'hunter2' });
    expect(short).toEqual([expect.stringMatching(/^INTERNAL_SECRET: expected at least 32 characters/)]);
    expect(short.join()).not.toContain('hunter2');
  });

  it('refuses a fixed port with several workers, and a port in the advertised URL with a free port', () => {
    expect(problemsOf({ DATABASE_URL: 'postgresql://app@db/app', REDIS_URL: 'redis://cache:6379', WORKERS: '2', INTERNAL_PORT: '7001' })).toEqual([expect.stringMatching(/^INTERNAL_PORT: leave it 0/)]);
    expect(problemsOf({ INTERNAL_ADVERTISE_URL: 'http://10.0.0.5:7001' })).toEqual([expect.stringMatching(/^INTERNAL_ADVERTISE_URL: names a port/)]);
  });
});
