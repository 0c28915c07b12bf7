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
