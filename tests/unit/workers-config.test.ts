import os from 'node:os';
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
const shared = { DATABASE_URL: 'postgresql://app@db:5432/app', REDIS_URL: 'redis://cache:6379' };

describe('WORKERS', () => {
  it('is 1 by default: one process, no primary', () => {
    expect(load({}).cluster).toEqual({ workers: 1, worker: null });
  });

  it('takes a whole number, or auto for the cores this process may use', () => {
    expect(load({ ...shared, WORKERS: '4' }).cluster.workers).toBe(4);
    expect(load({ ...shared, WORKERS: ' auto ' }).cluster.workers).toBe(os.availableParallelism());
    expect(load({ WORKERS: '1' }).cluster.workers).toBe(1);
  });

  it.each(['abc', '0', '-2', '1.5', '2000'])('refuses %j, naming the variable and the value', (value) => {
    const [problem] = problemsOf({ ...shared, WORKERS: value });
    expect(problem).toMatch(/^WORKERS: expected /);
    expect(problem).toContain(`(got ${JSON.stringify(value)})`);
  });

  it('refuses more than one worker without DATABASE_URL and REDIS_URL, saying why', () => {
    expect(problemsOf({ WORKERS: '2' })).toContainEqual(expect.stringMatching(/^WORKERS: 2 workers need state shared between processes, so DATABASE_URL and REDIS_URL must both be set \(missing: DATABASE_URL, REDIS_URL\)/));
    expect(problemsOf({ WORKERS: '2', DATABASE_URL: shared.DATABASE_URL })).toContainEqual(expect.stringContaining('(missing: REDIS_URL)'));
    expect(problemsOf({ WORKERS: '2', REDIS_URL: shared.REDIS_URL })).toContainEqual(expect.stringContaining('(missing: DATABASE_URL)'));
  });
});
