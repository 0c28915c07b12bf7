import { ConfigError, loadConfig } from '../../src/infrastructure/config';

const load = (env: Record<string, string>) => loadConfig(env, { projectRoot: '/srv/visiobook', version: '1.2.3' });

function problemsOf(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('orphan sweep in the configuration', () => {
  it('sweeps hourly with a day of grace by default', () => {
    expect(load({}).orphans).toEqual({ sweepIntervalMs: 3_600_000, graceMs: 86_400_000 });
  });

  it('reads ORPHAN_SWEEP_INTERVAL_MS (0: never) and ORPHAN_GRACE_MS', () => {
    expect(load({ ORPHAN_SWEEP_INTERVAL_MS: '0', ORPHAN_GRACE_MS: '1000' }).orphans).toEqual({ sweepIntervalMs: 0, graceMs: 1_000 });
  });

  it.each([
    [{ ORPHAN_GRACE_MS: '999' }, /^ORPHAN_GRACE_MS: expected at least 1000/],
    [{ ORPHAN_SWEEP_INTERVAL_MS: 'hourly' }, /^ORPHAN_SWEEP_INTERVAL_MS: expected a whole number/],
  ])('refuses %j', (env, message) => {
    expect(problemsOf(env)).toEqual([expect.stringMatching(message)]);
  });
});
