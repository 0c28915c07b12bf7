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

/** The two settings for running behind PgBouncer in transaction mode (README "PgBouncer"). */
describe('PgBouncer settings', () => {
  it('defaults: named prepared statements on, no separate session URL', () => {
    const config = load({ DATABASE_URL: 'postgresql://u@db:5432/visiobook' });
    expect(config.preparedStatements).toBe(true);
    expect(config.databaseSessionUrl).toBeUndefined();
  });

  it('reads DB_PREPARED_STATEMENTS and DATABASE_SESSION_URL', () => {
    const config = load({
      DATABASE_URL: 'postgresql://u@pgbouncer:6432/visiobook',
      DATABASE_SESSION_URL: 'postgresql://u@postgres:5432/visiobook',
      DB_PREPARED_STATEMENTS: 'false',
    });
    expect(config.preparedStatements).toBe(false);
    expect(config.databaseSessionUrl).toBe('postgresql://u@postgres:5432/visiobook');
  });

  it('refuses DATABASE_SESSION_URL without DATABASE_URL, and a URL that is not PostgreSQL, without echoing it', () => {
    expect(problemsOf({ DATABASE_SESSION_URL: 'postgresql://u@postgres:5432/visiobook' })).toEqual(['DATABASE_SESSION_URL: needs DATABASE_URL as well']);
    const problems = problemsOf({ DATABASE_URL: 'postgresql://u@db:5432/v', DATABASE_SESSION_URL: 'mysql://u:s3cret@db/v' });
    expect(problems).toEqual([expect.stringMatching(/^DATABASE_SESSION_URL: /)]);
    expect(problems.join()).not.toContain('s3cret');
  });
});
