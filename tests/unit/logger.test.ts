import { requestContext } from '../../src/adapters/http/request-context';
import { loggerContract, type LoggedEntry } from '../contract/logger.contract';
import { capturingLogger } from '../support/capturing-logger';
import { RecordingLogger } from '../support/recording-logger';

loggerContract('createLogger (pino)', () => {
  const { logger, lines } = capturingLogger('info');
  return {
    logger,
    entries: () => lines().map(({ level, msg, ...fields }): LoggedEntry => ({ level: level as LoggedEntry['level'], msg: msg as string | undefined, fields })),
  };
});

loggerContract('RecordingLogger', () => {
  const logger = new RecordingLogger();
  return { logger, entries: () => logger.entries.map(({ level, msg, obj }) => ({ level, msg, fields: { ...obj } })) };
});

/** What reaches stdout: JSON lines, with secrets scrubbed wherever they appear. */
describe('createLogger', () => {
  const log = () => capturingLogger();

  it('writes one JSON line per call, with level, time, service and message', () => {
    const { logger, lines } = log();
    logger.info({ port: 8084 }, 'service listening');
    expect(lines()).toEqual([{ level: 'info', time: expect.any(String), service: 'visiobook-data-platform', port: 8084, msg: 'service listening' }]);
  });

  it.each([
    ['postgresql://app:S3cretPw@db:5432/visiobook', 'postgresql://app:***@db:5432/visiobook'],
    ['redis://:S3cretPw@cache:6379/0', 'redis://:***@cache:6379/0'],
    // Unencoded, as people write them: URL parsers take everything up to the last @ as the password.
    ['postgresql://app:S3cret@Pw@db/visiobook', 'postgresql://app:***@db/visiobook'],
  ])('hides the password of %s in fields and messages', (url, shown) => {
    const { logger, raw, lines } = log();
    logger.warn({ url, nested: { deeper: [`connecting to ${url}`] } }, `lost ${url}`);
    expect(raw.join('')).not.toMatch(/S3cret|Pw@/);
    expect(lines()[0]).toMatchObject({ url: shown, nested: { deeper: [`connecting to ${shown}`] }, msg: `lost ${shown}` });
  });

  it('leaves URLs without a password alone', () => {
    const { logger, lines } = log();
    logger.info({ url: 'http://idp:8080/jwks?contact=ops@example.com', db: 'postgresql://app@db:5432/x' }, 'urls');
    expect(lines()[0]).toMatchObject({ url: 'http://idp:8080/jwks?contact=ops@example.com', db: 'postgresql://app@db:5432/x' });
  });

  it('hides bearer tokens and bare JWTs', () => {
    const { logger, raw, lines } = log();
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXZhbHVl';
    logger.info({ header: `Bearer ${jwt}`, seen: `token=${jwt}` }, `got Bearer opaque-token-123`);
    expect(raw.join('')).not.toMatch(/eyJzdWIi|opaque-token-123/);
    expect(lines()[0]).toMatchObject({ header: 'Bearer [REDACTED]', seen: 'token=[REDACTED_JWT]', msg: 'got Bearer [REDACTED]' });
  });

  it('censors password and other secret fields at any depth, arrays included', () => {
    const { logger, raw, lines } = log();
    logger.info(
      {
        password: 'TopPw',
        user: { password: 'OnePw' },
        pool: { config: { password: 'DeepPw', host: 'db' } },
        users: [{ name: 'a', password: 'ArrayPw' }],
        DB_PASSWORD: 'EnvPw',
        jwtSecret: 'JwtPw',
        headers: { Authorization: 'Basic QWxhZGRpbjpvcGVu', cookie: 'sid=CookiePw' },
      },
      'config',
    );
    expect(raw.join('')).not.toMatch(/TopPw|OnePw|DeepPw|ArrayPw|EnvPw|JwtPw|QWxhZGRpbjpvcGVu|CookiePw/);
    expect(lines()[0]).toMatchObject({
      password: '[REDACTED]',
      user: { password: '[REDACTED]' },
      pool: { config: { password: '[REDACTED]', host: 'db' } },
      users: [{ name: 'a', password: '[REDACTED]' }],
    });
  });

  it('scrubs an error, keeping its type, message and stack', () => {
    const { logger, raw, lines } = log();
    logger.error({ err: new TypeError('connect to postgresql://u:ErrPw@h/d failed') }, 'boom');
    expect(raw.join('')).not.toContain('ErrPw');
    expect(lines()[0]!.err).toMatchObject({ type: 'TypeError', message: 'connect to postgresql://u:***@h/d failed', stack: expect.stringContaining('TypeError: connect to') });
  });

  it('stamps every line written while serving a request with its id', () => {
    const { logger, lines } = log();
    requestContext.run({ requestId: 'r1' }, () => logger.info({ step: 'inside' }, 'in the request'));
    logger.info({ step: 'outside' }, 'after it');
    expect(lines()).toEqual([
      expect.objectContaining({ step: 'inside', request_id: 'r1' }),
      expect.not.objectContaining({ request_id: expect.anything() }),
    ]);
  });

  it('keeps the request id through awaits', async () => {
    const { logger, lines } = log();
    await requestContext.run({ requestId: 'r2' }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      logger.warn({}, 'later');
    });
    expect(lines()[0]).toMatchObject({ request_id: 'r2', msg: 'later' });
  });

  it('writes nothing below its level', () => {
    const { logger, raw } = capturingLogger('warn');
    logger.info({}, 'quiet');
    logger.warn({}, 'loud');
    expect(raw).toHaveLength(1);
  });
});
