import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/infrastructure/config';

const ROOT = '/srv/visiobook';
const load = (env: Record<string, string>) => loadConfig(env, { projectRoot: ROOT, version: '1.2.3' });

/** The ConfigError `env` raises; fails the test if it loads. */
function problemsOf(env: Record<string, string>): { message: string; problems: string[] } {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return { message: (error as ConfigError).message, problems: (error as ConfigError).problems };
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

const BACKUP_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

describe('loadConfig', () => {
  it('applies the defaults of the seed (port 8084, pool of 20, Prometheus on 127.0.0.1:9090)', () => {
    const config = load({});
    expect(config).toMatchObject({
      env: 'development',
      serviceName: 'visiobook-data-platform',
      version: '1.2.3',
      http: { host: '0.0.0.0', port: 8084, bodyLimitBytes: 1024 * 1024, shutdownTimeoutMs: 10_000 },
      dataDir: path.join(ROOT, 'data'),
      databaseUrl: undefined,
      redisUrl: undefined,
      redisKeyPrefix: 'vb:',
      pool: { min: 0, max: 20, idleTimeoutMs: 30_000, connectTimeoutMs: 5_000, statementTimeoutMs: 30_000 },
      // Embedded PostgreSQL owns its database, so it migrates on start.
      migrations: { dir: path.join(ROOT, 'migrations'), onStart: true },
      auth: { jwtSecret: undefined, jwksUrl: undefined },
      metrics: { port: 9090, host: '127.0.0.1' },
      logLevel: 'info',
      healthCheckTimeoutMs: 2_000,
      rateLimit: { windowMs: 60_000, anonymous: 60, user: 300, premium: 1_000, admin: 5_000 },
    });
  });

  it('reads the variables it is given', () => {
    const config = load({
      PORT: '9000',
      DATABASE_URL: 'postgresql://app:pw@db:5432/visiobook',
      REDIS_URL: 'redis://cache:6379',
      DB_POOL_MAX: '7',
      LOG_LEVEL: 'debug',
      MIGRATE_ON_START: 'no',
      BODY_LIMIT: '1kb',
      DATA_DIR: '/var/lib/vb',
    });
    expect(config).toMatchObject({
      http: { port: 9000, bodyLimitBytes: 1024 },
      databaseUrl: 'postgresql://app:pw@db:5432/visiobook',
      redisUrl: 'redis://cache:6379',
      pool: { max: 7 },
      logLevel: 'debug',
      migrations: { onStart: false },
      dataDir: '/var/lib/vb',
    });
  });

  it('migrates on start against a database server only when asked', () => {
    expect(load({ DATABASE_URL: 'postgres://db/x' }).migrations.onStart).toBe(false);
    expect(load({ DATABASE_URL: 'postgres://db/x', MIGRATE_ON_START: 'true' }).migrations.onStart).toBe(true);
  });

  it('treats an empty optional variable as unset', () => {
    const config = load({ REDIS_URL: '', JWT_SECRET: ' ', MIGRATE_ON_START: '' });
    expect(config.redisUrl).toBeUndefined();
    expect(config.auth.jwtSecret).toBeUndefined();
  });

  it.each([
    ['PORT', 'abc', /PORT: expected a whole number between 0 and 65535 \(got "abc"\)/],
    ['PORT', '70000', /PORT: expected at most 65535/],
    ['DB_POOL_MAX', '0', /DB_POOL_MAX: expected at least 1 \(got "0"\)/],
    ['DATABASE_URL', 'mysql://db:3306/app', /DATABASE_URL: expected a postgresql:\/\/ connection URL/],
    ['REDIS_URL', 'http://cache:6379', /REDIS_URL: expected a redis:\/\/, rediss:\/\/, redis\+sentinel:\/\/ or redis\+cluster:\/\/ URL/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent \(got "loud"\)/],
    ['MIGRATE_ON_START', 'maybe', /MIGRATE_ON_START: expected true or false \(got "maybe"\)/],
    ['BODY_LIMIT', 'huge', /BODY_LIMIT: expected a size/],
    ['NODE_ENV', 'staging', /NODE_ENV: expected development, production or test/],
  ])('refuses %s=%s, naming the variable', (name, value, expected) => {
    const { message, problems } = problemsOf({ [name]: value });
    expect(problems).toEqual([expect.stringMatching(expected)]);
    expect(message).toContain(problems[0]);
  });

  it('keeps cached reads QUERY_CACHE_TTL_SECONDS (300 by default, 1 to 86400)', () => {
    expect(load({}).queryCache).toEqual({ ttlSeconds: 300 });
    expect(load({ QUERY_CACHE_TTL_SECONDS: '30' }).queryCache).toEqual({ ttlSeconds: 30 });
    expect(problemsOf({ QUERY_CACHE_TTL_SECONDS: '0' }).problems).toEqual([expect.stringMatching(/^QUERY_CACHE_TTL_SECONDS: expected at least 1/)]);
  });

  it('reads CORS_ORIGINS as *, or a list of origins; none by default; refuses anything that is not an origin', () => {
    expect(load({}).http.corsOrigins).toEqual([]);
    expect(load({ CORS_ORIGINS: '*' }).http.corsOrigins).toBe('*');
    expect(load({ CORS_ORIGINS: ' https://app.example.com , http://localhost:5173/ ' }).http.corsOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
    for (const bad of ['app.example.com', 'https://app.example.com/path', 'ftp://files.example.com', 'https://a.example.com,*']) {
      expect(problemsOf({ CORS_ORIGINS: bad }).problems).toEqual([expect.stringMatching(/^CORS_ORIGINS: expected \* or a comma-separated list of origins/)]);
    }
  });

  it('reports every bad variable at once', () => {
    const { problems } = problemsOf({ PORT: 'abc', LOG_LEVEL: 'loud' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'PORT']);
  });

  it('refuses a pool whose minimum exceeds its maximum, and a read replica without a primary', () => {
    expect(problemsOf({ DB_POOL_MIN: '10', DB_POOL_MAX: '5' }).problems).toEqual([expect.stringMatching(/^DB_POOL_MIN: /)]);
    expect(problemsOf({ DATABASE_READ_URL: 'postgresql://replica/x' }).problems).toEqual([expect.stringMatching(/^DATABASE_READ_URL: /)]);
  });

  describe('secrets', () => {
    it.each([
      ['DATABASE_URL', 'mysql://admin:Hunter2Secret@db/app'],
      ['DATABASE_URL', 'postgresql://admin:Hunter2Secret@db:notaport/app'],
      ['DATABASE_READ_URL', 'postgresql://admin:Hunter2Secret@db:notaport/app'],
      ['REDIS_URL', 'http://:Hunter2Secret@cache:6379'],
      ['DB_ENCRYPTION_KEY', 'Hunter2Secret'],
      ['JWKS_URL', 'ftp://user:Hunter2Secret@idp/jwks'],
      ['BACKUP_ENCRYPTION_KEY', 'Hunter2Secret'],
    ])('never echoes the value of %s in the error', (name, value) => {
      const { message, problems } = problemsOf({ DATABASE_URL: 'postgresql://db/app', [name]: value });
      expect(problems).toEqual([expect.stringMatching(new RegExp(`^${name}: .*a value that is not shown`))]);
      expect(message).not.toContain('Hunter2Secret');
    });

    it('refuses a short JWT_SECRET in production without echoing it', () => {
      const { message, problems } = problemsOf({ NODE_ENV: 'production', JWT_SECRET: 'Hunter2Secret', BACKUP_ENCRYPTION_KEY });
      expect(problems).toEqual([expect.stringMatching(/^JWT_SECRET: expected at least 32 characters/)]);
      expect(message).not.toContain('Hunter2Secret');
    });

    it('refuses production without BACKUP_ENCRYPTION_KEY, and a key that is not 32 bytes of base64', () => {
      expect(problemsOf({ NODE_ENV: 'production', JWT_SECRET: 'a'.repeat(32) }).problems).toEqual([expect.stringMatching(/^BACKUP_ENCRYPTION_KEY: production refuses/)]);
      expect(problemsOf({ BACKUP_ENCRYPTION_KEY: Buffer.alloc(16, 1).toString('base64') }).problems).toEqual([expect.stringMatching(/^BACKUP_ENCRYPTION_KEY: expected 32 bytes in base64/)]);
      expect(load({ BACKUP_ENCRYPTION_KEY }).backups.encryptionKey).toBe(BACKUP_ENCRYPTION_KEY);
    });

    it('reads the backup schedule and refuses one that is not five cron fields', () => {
      expect(load({ BACKUP_SCHEDULE: '0 3 * * *' }).backups.schedule).toBe('0 3 * * *');
      expect(load({}).backups).toMatchObject({ schedule: null, retentionDays: 30, keepMin: 3, maxAgeHours: 26, workers: 1 });
      expect(problemsOf({ BACKUP_SCHEDULE: 'every night' }).problems).toEqual([expect.stringMatching(/^BACKUP_SCHEDULE: expected a cron expression/)]);
    });

    it('accepts a short JWT_SECRET outside production', () => {
      expect(load({ JWT_SECRET: 'dev' }).auth.jwtSecret).toBe('dev');
    });

    it('refuses production without JWT_SECRET or JWKS_URL', () => {
      expect(problemsOf({ NODE_ENV: 'production', BACKUP_ENCRYPTION_KEY }).problems).toEqual([expect.stringMatching(/^JWT_SECRET or JWKS_URL: /)]);
    });

    it('starts production with either a long secret or a JWKS URL', () => {
      expect(load({ NODE_ENV: 'production', JWT_SECRET: 'a'.repeat(32), BACKUP_ENCRYPTION_KEY }).auth.jwtSecret).toBe('a'.repeat(32));
      expect(load({ NODE_ENV: 'production', JWKS_URL: 'https://idp.example/.well-known/jwks.json', BACKUP_ENCRYPTION_KEY }).auth.jwksUrl).toBe('https://idp.example/.well-known/jwks.json');
    });
  });
});
