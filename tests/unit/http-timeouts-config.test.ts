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

describe('HTTP timeouts in the configuration', () => {
  it('bounds headers to 30 s and idle bodies to 60 s, and leaves whole requests unbounded, by default', () => {
    expect(load({}).http).toMatchObject({ headersTimeoutMs: 30_000, bodyIdleTimeoutMs: 60_000, requestTimeoutMs: 0 });
  });

  it('reads HTTP_HEADERS_TIMEOUT_MS, HTTP_BODY_IDLE_TIMEOUT_MS and HTTP_REQUEST_TIMEOUT_MS', () => {
    const http = load({ HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_BODY_IDLE_TIMEOUT_MS: '0', HTTP_REQUEST_TIMEOUT_MS: '600000' }).http;
    expect(http).toMatchObject({ headersTimeoutMs: 5_000, bodyIdleTimeoutMs: 0, requestTimeoutMs: 600_000 });
  });

  it.each([
    [{ HTTP_HEADERS_TIMEOUT_MS: '0' }, /^HTTP_HEADERS_TIMEOUT_MS: expected at least 100/],
    [{ HTTP_BODY_IDLE_TIMEOUT_MS: 'soon' }, /^HTTP_BODY_IDLE_TIMEOUT_MS: expected a whole number/],
    [{ HTTP_REQUEST_TIMEOUT_MS: '-1' }, /^HTTP_REQUEST_TIMEOUT_MS: expected a whole number/],
    // Node refuses a headers timeout longer than the whole request's.
    [{ HTTP_HEADERS_TIMEOUT_MS: '30000', HTTP_REQUEST_TIMEOUT_MS: '10000' }, /^HTTP_REQUEST_TIMEOUT_MS: expected 0 \(none\) or at least HTTP_HEADERS_TIMEOUT_MS/],
  ])('refuses %j', (env, expected) => {
    expect(problemsOf(env)).toEqual([expect.stringMatching(expected)]);
  });
});
