import { ConfigError, loadConfig } from '../../src/infrastructure/config';

const load = (env: Record<string, string>) => loadConfig(env, { projectRoot: '/srv/visiobook', version: '1.2.3' });

describe('SLOW_QUERY_MS', () => {
  it('is 200 by default; 0 turns the slow-query log off', () => {
    expect(load({}).slowQueryMs).toBe(200);
    expect(load({ SLOW_QUERY_MS: '0' }).slowQueryMs).toBe(0);
    expect(load({ SLOW_QUERY_MS: '1500' }).slowQueryMs).toBe(1500);
  });

  it('refuses a negative or non-integer value, naming the variable', () => {
    for (const value of ['-1', '2.5', 'fast']) {
      expect(() => load({ SLOW_QUERY_MS: value })).toThrow(ConfigError);
      expect(() => load({ SLOW_QUERY_MS: value })).toThrow(/SLOW_QUERY_MS/);
    }
  });
});
