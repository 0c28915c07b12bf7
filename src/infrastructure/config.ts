import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { INSTANCE_ID_PATTERN } from '../domain/database/lease';
import { CDN_SECRET_VARIABLES, cdnConfig, cdnEnv, type CdnConfig } from './cdn-config';
import { columnEncryptionConfig, columnEncryptionEnv, type ColumnEncryptionConfig } from './column-encryption-config';
import { fileKeyring } from './file-encryption-config';
import type { Keyring } from '../domain/crypto/keyring';
import { STORAGE_SECRET_VARIABLES, storageConfig, storageEnv, type StorageConfig } from './storage-config';
import { renderConfig, renderEnv, type RenderConfig } from './render-config';
import { redisTopologyOf, type RedisTopology } from './redis-config';

/**
 * Every setting the service reads, parsed once at start from the environment. A bad value stops the
 * process with a message naming the variable and what it expects; nothing else reads process.env.
 */

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `expected a whole number between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `expected at least ${min}`).max(max, `expected at most ${max}`));

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const postgresUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      return ['postgres:', 'postgresql:'].includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, 'expected a postgresql:// connection URL');

// The scheme only; the rest (sentinel and cluster host lists) is read by redisTopologyOf.
const redisUrl = z
  .string()
  .trim()
  .refine((v) => /^rediss?(\+(sentinel|cluster))?:\/\//.test(v), 'expected a redis://, rediss://, redis+sentinel:// or redis+cluster:// URL');

const httpUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      return ['http:', 'https:'].includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, 'expected an http(s):// URL');

const byteSize = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, 'expected a size such as 1mb, 512kb or 1048576')
  .transform(parseByteSize);

function parseByteSize(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(value.trim());
  const units: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
  return Math.floor(Number(match?.[1]) * (units[(match?.[2] ?? 'b').toLowerCase()] ?? 1));
}

/** `*`, or a comma-separated list of origins (https://app.example.com), each kept as its URL origin. */
const corsOrigins = z
  .string()
  .trim()
  .refine((v) => v === '*' || v.split(',').every((o) => isOrigin(o.trim())), 'expected * or a comma-separated list of origins such as https://app.example.com')
  .transform((v): '*' | string[] => (v === '*' ? '*' : v.split(',').map((o) => new URL(o.trim()).origin)));

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return ['http:', 'https:'].includes(url.protocol) && url.pathname === '/' && !url.search && !url.hash && !url.username;
  } catch {
    return false;
  }
}

/** BACKUP_ENCRYPTION_KEY: 32 random bytes in base64 (`openssl rand -base64 32`). */
const backupKey = z
  .string()
  .trim()
  .refine((v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32, 'expected 32 bytes in base64 (openssl rand -base64 32)');

/** Five cron fields (minute hour day month weekday), as pg-boss's schedule() reads them; UTC. */
const cronExpression = z
  .string()
  .trim()
  .regex(/^(\S+\s+){4}\S+$/, 'expected a cron expression of five fields, such as "0 3 * * *"')
  .refine((v) => v.split(/\s+/).every((field) => /^[0-9A-Za-z*/,?-]+$/.test(field)), 'expected a cron expression of five fields, such as "0 3 * * *"');

/** WORKERS: `auto` (the cores this process may use) or a whole number from 1. */
const MAX_WORKERS = 1_024;
const workerCount = z
  .string()
  .trim()
  .regex(/^(auto|\d+)$/i, `expected auto or a whole number between 1 and ${MAX_WORKERS}`)
  .transform((v) => (v.toLowerCase() === 'auto' ? os.availableParallelism() : Number(v)))
  .pipe(z.number().int().min(1, 'expected at least 1').max(MAX_WORKERS, `expected at most ${MAX_WORKERS}`));

/** A byte size, or `unlimited` (null). */
const quota = z.union([z.literal('unlimited').transform(() => null), byteSize]);

/** 002's ALLOWED_MIME_TYPES plus its "supported_formats" that can be recognised from their bytes. */
const DEFAULT_ALLOWED_MIME_TYPES = [
  'image/jpeg', 'image/png', 'image/gif', 'video/mp4', 'application/pdf', 'text/plain',
  'image/webp', 'image/svg+xml', 'audio/mpeg', 'audio/wav', 'audio/ogg', 'video/webm', 'video/quicktime',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/rtf',
];

const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test'], { message: 'expected development, production or test' }).default('development'),
  SERVICE_NAME: z.string().trim().min(1).default('visiobook-data-platform'),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  PORT: integer(0, 65535).default(8084),
  WORKERS: workerCount.default(1),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  DATABASE_URL: optional(postgresUrl),
  DATABASE_READ_URL: optional(postgresUrl),
  DATABASE_SESSION_URL: optional(postgresUrl),
  REDIS_URL: optional(redisUrl),
  REDIS_KEY_PREFIX: z.string().default('vb:'),
  DB_POOL_MIN: integer(0, 1000).default(0),
  DB_POOL_MAX: integer(1, 1000).default(20),
  DB_POOL_IDLE_TIMEOUT: integer(0).default(30_000),
  DB_CONNECT_TIMEOUT: integer(1).default(5_000),
  DB_STATEMENT_TIMEOUT: integer(0).default(30_000),
  DB_PREPARED_STATEMENTS: optional(bool),
  MIGRATE_ON_START: optional(bool),
  MIGRATIONS_DIR: optional(z.string().trim().min(1)),
  JWT_SECRET: optional(z.string().min(1)),
  JWKS_URL: optional(httpUrl),
  JWT_ISSUER: optional(z.string().trim().min(1)),
  JWT_AUDIENCE: optional(z.string().trim().min(1)),
  DB_ENCRYPTION_KEY: optional(z.string().min(32, 'expected at least 32 characters')),
  ...columnEncryptionEnv,
  PROMETHEUS_PORT: integer(0, 65535).default(9090),
  PROMETHEUS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'expected one of fatal, error, warn, info, debug, trace, silent',
  }).default('info'),
  BODY_LIMIT: byteSize.default(1024 * 1024),
  HTTP_HEADERS_TIMEOUT_MS: integer(100, 600_000).default(30_000),
  HTTP_REQUEST_TIMEOUT_MS: integer(0, 86_400_000).default(0),
  HTTP_BODY_IDLE_TIMEOUT_MS: integer(0, 3_600_000).default(60_000),
  CORS_ORIGINS: optional(corsOrigins),
  HEALTH_CHECK_TIMEOUT_MS: integer(1, 60_000).default(2_000),
  SLOW_QUERY_MS: integer(0, 3_600_000).default(200),
  SHUTDOWN_TIMEOUT_MS: integer(0, 600_000).default(10_000),
  RATE_LIMIT_WINDOW_MS: integer(1_000).default(60_000),
  RATE_LIMIT_ANONYMOUS: integer(1).default(60),
  RATE_LIMIT_USER: integer(1).default(300),
  RATE_LIMIT_PREMIUM: integer(1).default(1_000),
  RATE_LIMIT_ADMIN: integer(1).default(5_000),
  /** The most requests of one caller a process reserves from the shared counter at once; 1 asks Redis on every request. */
  RATE_LIMIT_BATCH: integer(1).default(100),
  QUERY_CACHE_TTL_SECONDS: integer(1, 86_400).default(300),
  INSTANCE_ID: optional(z.string().trim().regex(INSTANCE_ID_PATTERN, 'expected 1 to 32 letters, digits or dashes')),
  LEASE_DEFAULT_TTL_SECONDS: integer(1, 86_400).default(300),
  LEASE_MAX_TTL_SECONDS: integer(1, 86_400).default(3_600),
  LEASE_IDLE_TIMEOUT_SECONDS: integer(1, 86_400).default(120),
  LEASE_MAX_PER_CALLER: integer(1, 1_000).default(10),
  LEASE_REAP_INTERVAL_MS: integer(100, 60_000).default(1_000),
  INTERNAL_PORT: integer(0, 65535).default(0),
  INTERNAL_HOST: optional(z.string().trim().min(1)),
  INTERNAL_ADVERTISE_URL: optional(httpUrl),
  INTERNAL_SECRET: optional(z.string().min(32, 'expected at least 32 characters')),
  ...storageEnv,
  ...cdnEnv,
  ...renderEnv,
  MAX_FILE_SIZE: byteSize.default(100 * 1024 ** 2),
  MAX_CONCURRENT_UPLOADS: integer(1, 10_000).default(10),
  TRANSFORM_CONCURRENCY: integer(0, 64).default(2),
  TRANSFORM_TIMEOUT_SECONDS: integer(1, 86_400).default(600),
  TRANSFORM_RETRIES: integer(0, 10).default(2),
  IMAGE_ENGINE: z.enum(['sharp', 'jimp'], { message: 'expected sharp or jimp' }).default('sharp'),
  ALLOWED_MIME_TYPES: z.string().trim().min(1).default(DEFAULT_ALLOWED_MIME_TYPES.join(',')),
  STORAGE_QUOTA_USER: quota.default(5 * 1024 ** 3),
  STORAGE_QUOTA_PREMIUM: quota.default(50 * 1024 ** 3),
  STORAGE_QUOTA_ADMIN: quota.default(null),
  PUBLIC_BASE_URL: optional(httpUrl),
  TRASH_PURGE_INTERVAL_MS: integer(1_000).default(3_600_000),
  ORPHAN_SWEEP_INTERVAL_MS: integer(0).default(3_600_000),
  ORPHAN_GRACE_MS: integer(1_000).default(86_400_000),
  SCHEMA_REFRESH_INTERVAL_MS: integer(100).default(30_000),
  BACKUP_RETRY_INTERVAL_MS: integer(1_000).default(60_000),
  BACKUP_ENCRYPTION_KEY: optional(backupKey),
  ENCRYPTION_KEYS: optional(z.string()),
  ENCRYPTION_ACTIVE_KEY: optional(z.string().trim()),
  ENCRYPTION_KEY: optional(z.string()),
  PG_BIN_DIR: optional(z.string().trim().min(1)),
  BACKUP_SCHEDULE: optional(cronExpression),
  BACKUP_RETENTION_DAYS: integer(0, 36_500).default(30),
  BACKUP_KEEP_MIN: integer(0, 1_000).default(3),
  BACKUP_MAX_AGE_HOURS: integer(1, 87_600).default(26),
  BACKUP_WORKERS: integer(0, 1).default(1),
  BACKUP_RETENTION_INTERVAL_MS: integer(1_000).default(3_600_000),
  BACKUP_PROGRESS_INTERVAL_MS: integer(100, 60_000).default(2_000),
  BACKUP_STALE_AFTER_MS: optional(integer(1_000, 86_400_000)),
  BACKUP_LOCK_WAIT_TIMEOUT_MS: integer(1, 86_400_000).default(60_000),
  AUDIT_ENABLED: optional(bool),
  AUDIT_RETENTION_DAYS: integer(1, 36_500).default(365),
  AUDIT_RETENTION_INTERVAL_MS: integer(1_000).default(3_600_000),
  STORAGE_SIGNING_SECRET: optional(z.string().min(32, 'expected at least 32 characters')),
  SIGNED_URL_EXPIRES: integer(1, 7 * 86_400).default(3_600),
  UPLOAD_SESSION_TTL_SECONDS: integer(60, 30 * 86_400).default(86_400),
  UPLOAD_CLEANUP_INTERVAL_MS: integer(1_000).default(600_000),
  MEDIA_ENGINE: z.enum(['auto', 'native', 'wasm'], { message: 'expected auto, native or wasm' }).default('auto'),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  serviceName: string;
  version: string;
  /** corsOrigins: where browsers may call the API from: `*`, a list of origins, or none (no CORS headers). */
  /**
   * Timeouts: headers must arrive within headersTimeoutMs, a whole request within requestTimeoutMs
   * (0: no bound, for long uploads), and a body may stall at most bodyIdleTimeoutMs (0: never cut).
   */
  http: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    shutdownTimeoutMs: number;
    corsOrigins: '*' | string[];
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    bodyIdleTimeoutMs: number;
  };
  /**
   * Processes serving the port (WORKERS): above 1, a primary process forks that many workers and
   * serves nothing itself. `worker` is this process's slot (1..workers) when it is one of them.
   */
  cluster: { workers: number; worker: number | null };
  dataDir: string;
  /** Absent: the embedded PostgreSQL is started from node_modules. */
  databaseUrl: string | undefined;
  databaseReadUrl: string | undefined;
  /** A direct connection (not through PgBouncer in transaction mode) for what holds a session: the migration lock. */
  databaseSessionUrl: string | undefined;
  /** Absent: an in-process key-value store stands in for Redis. */
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  /** REDIS_URL read: one server, the sentinels of a primary, or a Cluster's seed nodes (undefined without REDIS_URL). */
  redisTopology: RedisTopology | undefined;
  pool: { min: number; max: number; idleTimeoutMs: number; connectTimeoutMs: number; statementTimeoutMs: number };
  /** Named (server-side) prepared statements for the hot statements; off behind PgBouncer < 1.21 in transaction mode. */
  preparedStatements: boolean;
  migrations: { dir: string; onStart: boolean };
  auth: { jwtSecret: string | undefined; jwksUrl: string | undefined; issuer: string | undefined; audience: string | undefined };
  encryptionKey: string | undefined;
  /** Encrypted columns: DB_ENCRYPTION_KEY as a keyring (null: off), ENCRYPTED_COLUMNS, the blind index key id. */
  columnEncryption: ColumnEncryptionConfig;
  metrics: { port: number; host: string };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  healthCheckTimeoutMs: number;
  /** Statements at least this long are logged (normalized) and counted; 0: no slow-query log. */
  slowQueryMs: number;
  rateLimit: { windowMs: number; anonymous: number; user: number; premium: number; admin: number; batch: number };
  /** How long a cached read may live; writes invalidate it sooner. */
  queryCache: { ttlSeconds: number };
  /** How often the table/column catalog is read again, so a migration run by another instance (or any DDL) is seen here. */
  schemaRefreshIntervalMs: number;
  /** Names this process in connection lease ids; random per process unless INSTANCE_ID is set. */
  instanceId: string;
  leases: { defaultTtlSeconds: number; maxTtlSeconds: number; idleTimeoutSeconds: number; maxPerCaller: number; reapIntervalMs: number };
  /**
   * The internal listener where other instances forward the requests of this process's leases: its
   * address (loopback unless INTERNAL_HOST or INTERNAL_ADVERTISE_URL), the URL announced in the
   * instance registry (absent: http://<host>:<actual port>), the HMAC secret (absent: derived, see
   * internal-secret.ts) and the registry heartbeat.
   */
  internal: { host: string; port: number; advertiseUrl: string | undefined; secret: string | undefined; heartbeatMs: number; ttlSeconds: number };
  storage: StorageConfig;
  /** Files encrypted at rest: the master keys (ENCRYPTION_KEYS / ENCRYPTION_KEY); null: stored in clear. */
  fileEncryption: { keyring: Keyring | null };
  /** CDNs in front of the /cdn/ origin routes: purge APIs, public base URL, TTL. */
  cdn: CdnConfig;
  /** Renditions on request (GET /render, /cdn/render): limits, presets, cache bound. */
  render: RenderConfig;
  /** Direct and resumable uploads: limits, accepted types, per-role quotas (null: unlimited), trash purge. */
  uploads: {
    maxFileSizeBytes: number;
    /** Upload requests (multipart, tus PATCH, resumable chunk) one caller may have in flight at once. */
    maxConcurrentPerCaller: number;
    allowedMimeTypes: string[];
    quotaBytes: { user: number | null; premium: number | null; admin: number | null };
    trashPurgeIntervalMs: number;
    /** How often backup copies left pending (e.g. by a restart) are retried; only with a backup provider. */
    backupRetryIntervalMs: number;
  };
  /** Transformation jobs: workers in this process (0: queue only), per-job timeout, retries after the first attempt, image engine. */
  transforms: { concurrency: number; timeoutSeconds: number; retries: number; imageEngine: 'sharp' | 'jimp' };
  /** Origin of the URLs the service hands out (urls.download); default http://localhost:<PORT>. */
  publicBaseUrl: string;
  /** Download URLs: the service's HMAC secret (absent: derived from JWT_SECRET or generated under DATA_DIR) and their lifetime. */
  delivery: { signingSecret: string | undefined; signedUrlExpiresSeconds: number };
  /** Resumable sessions: how long one may take, and how often expired ones are cleaned. */
  resumable: { sessionTtlSeconds: number; cleanupIntervalMs: number };
  /** The orphan sweep: how often it runs (0: never), and how old an unreferenced object must be to go. */
  orphans: { sweepIntervalMs: number; graceMs: number };
  /** Audio/video engine: the ffmpeg binaries (`native`), ffmpeg.wasm (`wasm`), or `auto`: native when `ffmpeg -version` answers, else wasm. */
  media: { engine: 'auto' | 'native' | 'wasm' };
  /**
   * Database backups: the archive key (absent outside production: generated under DATA_DIR), where
   * pg_dump/pg_restore are (absent: PATH), the schedule (cron, UTC; null: none), retention in days
   * (0: never expire) with the keepMin newest always kept, the age past which /health fails (with a
   * schedule), workers in this process (0: queue only), how often retention runs and progress is saved.
   */
  backups: {
    encryptionKey: string | undefined;
    pgBinDir: string | undefined;
    schedule: string | null;
    retentionDays: number;
    keepMin: number;
    maxAgeHours: number;
    workers: number;
    retentionIntervalMs: number;
    progressIntervalMs: number;
    /** A backup or restore with no progress saved for this long was its instance's, now gone (BACKUP_STALE_AFTER_MS). */
    staleAfterMs: number;
    /** pg_dump --lock-wait-timeout: a backup fails rather than waiting forever behind an exclusive lock. */
    lockWaitTimeoutMs: number;
  };
  /** The audit trail: on (false only for A/B benchmarks), entries kept for retentionDays, purged every retentionIntervalMs. */
  audit: { enabled: boolean; retentionDays: number; retentionIntervalMs: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface ConfigDefaults {
  /** Folder that holds package.json; relative paths in the environment are resolved against it. */
  projectRoot: string;
  version: string;
  /** This process's node:cluster worker id (unique per fork, restarts included); default: read from node:cluster. */
  clusterWorkerId?: number | null;
}

export function loadConfig(env: NodeJS.ProcessEnv, defaults: ConfigDefaults): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message} (got ${describe(env, issue.path)})`),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.NODE_ENV === 'production' && !e.JWT_SECRET && !e.JWKS_URL) {
    problems.push('JWT_SECRET or JWKS_URL: production refuses to start without a way to verify tokens');
  }
  if (e.NODE_ENV === 'production' && e.JWT_SECRET && e.JWT_SECRET.length < 32) {
    problems.push('JWT_SECRET: expected at least 32 characters in production');
  }
  if (e.NODE_ENV === 'production' && !e.BACKUP_ENCRYPTION_KEY) {
    problems.push('BACKUP_ENCRYPTION_KEY: production refuses to start without a key for the database backups (openssl rand -base64 32)');
  }
  if (e.DB_POOL_MIN > e.DB_POOL_MAX) problems.push(`DB_POOL_MIN: expected at most DB_POOL_MAX (${e.DB_POOL_MAX})`);
  if (e.DATABASE_READ_URL && !e.DATABASE_URL) problems.push('DATABASE_READ_URL: needs DATABASE_URL as well');
  if (e.DATABASE_SESSION_URL && !e.DATABASE_URL) problems.push('DATABASE_SESSION_URL: needs DATABASE_URL as well');
  // The embedded PostgreSQL belongs to one process and the in-process key-value store is each
  // process's own: leases, rate limits, upload slots and cache invalidations would not be shared.
  if (e.WORKERS > 1 && (!e.DATABASE_URL || !e.REDIS_URL)) {
    problems.push(
      `WORKERS: ${e.WORKERS} workers need state shared between processes, so DATABASE_URL and REDIS_URL must both be set ` +
        `(missing: ${[!e.DATABASE_URL && 'DATABASE_URL', !e.REDIS_URL && 'REDIS_URL'].filter(Boolean).join(', ')}); ` +
        'the embedded PostgreSQL and the in-process key-value store serve one process only. Set them, or WORKERS=1',
    );
  }
  // Node refuses a headers timeout longer than the request's (the headers are part of the request).
  if (e.HTTP_REQUEST_TIMEOUT_MS > 0 && e.HTTP_REQUEST_TIMEOUT_MS < e.HTTP_HEADERS_TIMEOUT_MS) {
    problems.push(`HTTP_REQUEST_TIMEOUT_MS: expected 0 (none) or at least HTTP_HEADERS_TIMEOUT_MS (${e.HTTP_HEADERS_TIMEOUT_MS})`);
  }
  if (e.LEASE_DEFAULT_TTL_SECONDS > e.LEASE_MAX_TTL_SECONDS) {
    problems.push(`LEASE_DEFAULT_TTL_SECONDS: expected at most LEASE_MAX_TTL_SECONDS (${e.LEASE_MAX_TTL_SECONDS})`);
  }
  internalProblems(e, problems);
  const resolve = (p: string) => path.resolve(defaults.projectRoot, p);
  const storage = storageConfig(e, resolve(e.DATA_DIR), resolve, problems);
  const publicBaseUrl = (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const cdn = cdnConfig(e, publicBaseUrl, problems);
  const render = renderConfig(e, problems);
  const columnEncryption = columnEncryptionConfig(e, problems);
  const keyring = fileKeyring(e, problems);
  const redisTopology = redisTopologyOf(e.REDIS_URL, e.REDIS_KEY_PREFIX, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    env: e.NODE_ENV,
    serviceName: e.SERVICE_NAME,
    version: defaults.version,
    http: {
      host: e.HOST,
      port: e.PORT,
      bodyLimitBytes: e.BODY_LIMIT,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
      corsOrigins: e.CORS_ORIGINS ?? [],
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      bodyIdleTimeoutMs: e.HTTP_BODY_IDLE_TIMEOUT_MS,
    },
    cluster: { workers: e.WORKERS, worker: null },
    dataDir: resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    databaseReadUrl: e.DATABASE_READ_URL,
    databaseSessionUrl: e.DATABASE_SESSION_URL,
    preparedStatements: e.DB_PREPARED_STATEMENTS ?? true,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    redisTopology,
    pool: {
      min: e.DB_POOL_MIN,
      max: e.DB_POOL_MAX,
      idleTimeoutMs: e.DB_POOL_IDLE_TIMEOUT,
      connectTimeoutMs: e.DB_CONNECT_TIMEOUT,
      statementTimeoutMs: e.DB_STATEMENT_TIMEOUT,
    },
    // Embedded mode owns its database, so it always migrates; against a server, only when asked.
    migrations: { dir: resolve(e.MIGRATIONS_DIR ?? 'migrations'), onStart: e.MIGRATE_ON_START ?? !e.DATABASE_URL },
    auth: { jwtSecret: e.JWT_SECRET, jwksUrl: e.JWKS_URL, issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE },
    encryptionKey: e.DB_ENCRYPTION_KEY,
    columnEncryption,
    metrics: { port: e.PROMETHEUS_PORT, host: e.PROMETHEUS_HOST },
    logLevel: e.LOG_LEVEL,
    healthCheckTimeoutMs: e.HEALTH_CHECK_TIMEOUT_MS,
    slowQueryMs: e.SLOW_QUERY_MS,
    rateLimit: {
      windowMs: e.RATE_LIMIT_WINDOW_MS,
      anonymous: e.RATE_LIMIT_ANONYMOUS,
      user: e.RATE_LIMIT_USER,
      premium: e.RATE_LIMIT_PREMIUM,
      admin: e.RATE_LIMIT_ADMIN,
      batch: e.RATE_LIMIT_BATCH,
    },
    queryCache: { ttlSeconds: e.QUERY_CACHE_TTL_SECONDS },
    schemaRefreshIntervalMs: e.SCHEMA_REFRESH_INTERVAL_MS,
    instanceId: processInstanceId(e.INSTANCE_ID, defaults.clusterWorkerId !== undefined ? defaults.clusterWorkerId : cluster.isWorker ? (cluster.worker?.id ?? null) : null),
    leases: {
      defaultTtlSeconds: e.LEASE_DEFAULT_TTL_SECONDS,
      maxTtlSeconds: e.LEASE_MAX_TTL_SECONDS,
      idleTimeoutSeconds: e.LEASE_IDLE_TIMEOUT_SECONDS,
      maxPerCaller: e.LEASE_MAX_PER_CALLER,
      reapIntervalMs: e.LEASE_REAP_INTERVAL_MS,
    },
    internal: {
      host: e.INTERNAL_HOST ?? (e.INTERNAL_ADVERTISE_URL ? '0.0.0.0' : '127.0.0.1'),
      port: e.INTERNAL_PORT,
      advertiseUrl: e.INTERNAL_ADVERTISE_URL?.replace(/\/+$/, ''),
      secret: e.INTERNAL_SECRET,
      heartbeatMs: 5_000,
      ttlSeconds: 15,
    },
    storage,
    fileEncryption: { keyring },
    cdn,
    render,
    uploads: {
      maxFileSizeBytes: e.MAX_FILE_SIZE,
      maxConcurrentPerCaller: e.MAX_CONCURRENT_UPLOADS,
      allowedMimeTypes: e.ALLOWED_MIME_TYPES.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean),
      quotaBytes: { user: e.STORAGE_QUOTA_USER, premium: e.STORAGE_QUOTA_PREMIUM, admin: e.STORAGE_QUOTA_ADMIN },
      trashPurgeIntervalMs: e.TRASH_PURGE_INTERVAL_MS,
      backupRetryIntervalMs: e.BACKUP_RETRY_INTERVAL_MS,
    },
    transforms: { concurrency: e.TRANSFORM_CONCURRENCY, timeoutSeconds: e.TRANSFORM_TIMEOUT_SECONDS, retries: e.TRANSFORM_RETRIES, imageEngine: e.IMAGE_ENGINE },
    publicBaseUrl,
    delivery: { signingSecret: e.STORAGE_SIGNING_SECRET, signedUrlExpiresSeconds: e.SIGNED_URL_EXPIRES },
    resumable: { sessionTtlSeconds: e.UPLOAD_SESSION_TTL_SECONDS, cleanupIntervalMs: e.UPLOAD_CLEANUP_INTERVAL_MS },
    orphans: { sweepIntervalMs: e.ORPHAN_SWEEP_INTERVAL_MS, graceMs: e.ORPHAN_GRACE_MS },
    media: { engine: e.MEDIA_ENGINE },
    backups: {
      encryptionKey: e.BACKUP_ENCRYPTION_KEY,
      pgBinDir: e.PG_BIN_DIR ? resolve(e.PG_BIN_DIR) : undefined,
      schedule: e.BACKUP_SCHEDULE ?? null,
      retentionDays: e.BACKUP_RETENTION_DAYS,
      keepMin: e.BACKUP_KEEP_MIN,
      maxAgeHours: e.BACKUP_MAX_AGE_HOURS,
      workers: e.BACKUP_WORKERS,
      retentionIntervalMs: e.BACKUP_RETENTION_INTERVAL_MS,
      progressIntervalMs: e.BACKUP_PROGRESS_INTERVAL_MS,
      staleAfterMs: e.BACKUP_STALE_AFTER_MS ?? Math.max(60_000, e.BACKUP_PROGRESS_INTERVAL_MS * 10),
      lockWaitTimeoutMs: e.BACKUP_LOCK_WAIT_TIMEOUT_MS,
    },
    audit: { enabled: e.AUDIT_ENABLED ?? true, retentionDays: e.AUDIT_RETENTION_DAYS, retentionIntervalMs: e.AUDIT_RETENTION_INTERVAL_MS },
  };
}

/**
 * Every process has its own id (its leases name it): random by default; INSTANCE_ID is suffixed
 * with the cluster worker's id (new at every fork, so a restarted worker is a new instance), so
 * workers sharing one INSTANCE_ID never share an id.
 */
function processInstanceId(configured: string | undefined, workerId: number | null): string {
  if (!configured) return randomBytes(4).toString('hex');
  if (workerId === null) return configured;
  const suffix = `-w${workerId}`;
  return `${configured.slice(0, 32 - suffix.length)}${suffix}`;
}

/**
 * Forwarding between machines (INTERNAL_ADVERTISE_URL) or between worker processes (WORKERS above
 * 1) needs one INTERNAL_SECRET on every process in production; otherwise it is derived (internal-secret.ts).
 */
function internalProblems(e: z.infer<typeof envSchema>, problems: string[]): void {
  const forwarding = e.INTERNAL_ADVERTISE_URL !== undefined || e.WORKERS > 1;
  if (e.NODE_ENV === 'production' && forwarding && !e.INTERNAL_SECRET) {
    problems.push('INTERNAL_SECRET: required in production with INTERNAL_ADVERTISE_URL or WORKERS above 1 (instances sign the lease requests they forward to each other; openssl rand -base64 48)');
  }
  if (e.INTERNAL_ADVERTISE_URL && e.INTERNAL_PORT === 0 && /^https?:\/\/[^/]*:\d+/i.test(e.INTERNAL_ADVERTISE_URL)) {
    problems.push('INTERNAL_ADVERTISE_URL: names a port while INTERNAL_PORT is 0 (a free port); set INTERNAL_PORT, or leave the port out of the URL to have the actual one added');
  }
  // Each worker's internal listener is its own (exclusive): one fixed port cannot serve several.
  if (e.INTERNAL_PORT > 0 && e.WORKERS > 1) {
    problems.push('INTERNAL_PORT: leave it 0 with WORKERS above 1 (each worker listens on a free port of its own and announces it)');
  }
}

const SECRET_VARIABLES = new Set(['INTERNAL_SECRET', 'JWT_SECRET', 'DB_ENCRYPTION_KEY', 'BACKUP_ENCRYPTION_KEY', 'DATABASE_URL', 'DATABASE_READ_URL', 'DATABASE_SESSION_URL', 'REDIS_URL', 'JWKS_URL', 'STORAGE_SIGNING_SECRET', 'ENCRYPTION_KEYS', 'ENCRYPTION_KEY', ...STORAGE_SECRET_VARIABLES, ...CDN_SECRET_VARIABLES]);

/** Echoes the offending value so the operator sees it, except secrets, which are never printed. */
function describe(env: NodeJS.ProcessEnv, issuePath: PropertyKey[]): string {
  const name = String(issuePath[0] ?? '');
  if (SECRET_VARIABLES.has(name)) return 'a value that is not shown';
  const value = env[name];
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
