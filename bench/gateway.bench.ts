import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { aToken } from '../tests/support/tokens';
import { freePort } from '../tests/support/free-port';
import { ServiceProcess } from '../tests/support/service-process';
import { createBenchDatabase, seedProjects } from './support/bench-database';
import { formatTable, type LoadResult } from './support/load-result';
import { runWorker } from './support/run-worker';

/**
 * `npm run bench:gateway`: the gateway against the same work done directly with pg and ioredis, in
 * one run, on a 100k-row projects table. Needs PostgreSQL and Redis as the tests find them.
 */
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const POOL_SIZE = 20;
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'bench-secret-that-is-long-enough-for-production-use-0123456789';
/** AUDIT_ENABLED=false runs the service without the audit trail (issue 11's A/B); BENCH_ONLY=transaction skips the query scenarios. */
const AUDIT_ENABLED = process.env.AUDIT_ENABLED ?? 'true';
const ONLY = process.env.BENCH_ONLY;

async function main(): Promise<void> {
  const db = await createBenchDatabase();
  const keyPrefix = `vbbench:${Date.now().toString(36)}:`;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-bench-'));
  const port = await freePort();
  const service = new ServiceProcess({
    NODE_ENV: 'production', PORT: String(port), DATA_DIR: home, DATABASE_URL: db.url, REDIS_URL, REDIS_KEY_PREFIX: keyPrefix,
    JWT_SECRET: SECRET, MIGRATE_ON_START: 'true', DB_POOL_MAX: String(POOL_SIZE), LOG_LEVEL: 'warn', PROMETHEUS_PORT: '0',
    RATE_LIMIT_USER: '1000000000', RATE_LIMIT_ADMIN: '1000000000', AUDIT_ENABLED,
    // Production refuses to start without a backup key (issue 9); none of this benchmark's work uses it.
    BACKUP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  });
  try {
    service.start();
    const base = `http://127.0.0.1:${port}`;
    await service.waitFor(`${base}/health`);
    process.stdout.write('seeding 1,000 users x 100 projects (100k rows)...\n');
    const users = await seedProjects(db.url, 1000, 100);
    const userId = users[0]!;
    const token = await aToken({ role: 'user', sub: userId, secret: SECRET, ttlSeconds: 3600 });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const query = { database: 'postgresql', query_type: 'select', table: 'projects', filters: { user_id: userId }, sort: [{ column: 'created_at', direction: 'desc' }], pagination: { page: 1, limit: 20 } };
    const transaction = {
      operations: [
        { database: 'postgresql', operation: 'insert', table: 'projects', data: { title: 'Bench project' } },
        { database: 'redis', operation: 'set', key: 'project:cache:bench', value: '{"status":"created"}', ttl: 3600 },
      ],
    };
    const http = (name: string, url: string, body: object) =>
      runWorker('http-load-worker', { name, url: `${base}${url}`, method: 'POST', headers, body: JSON.stringify(body), connections: CONNECTIONS, durationSeconds: DURATION });
    const direct = (name: string) =>
      runWorker('direct-load-worker', { name, databaseUrl: db.url, redisUrl: REDIS_URL, keyPrefix, userId, poolSize: POOL_SIZE, connections: CONNECTIONS, durationSeconds: DURATION });

    const rows: Array<{ scenario: string; gateway: LoadResult; direct: LoadResult }> = [];
    const run = async (scenario: string, gateway: () => Promise<LoadResult>, baseline: () => Promise<LoadResult>) => {
      if (ONLY && !scenario.startsWith(ONLY)) return;
      process.stdout.write(`${scenario}...\n`);
      rows.push({ scenario, gateway: await gateway(), direct: await baseline() });
    };
    await run('query, cache bypassed (20-row indexed page + count)', () => http('query_bypass', '/api/v1/data/query', { ...query, cache: 'bypass' }), () => direct('query'));
    await run('query, cache hits', () => http('query_hit', '/api/v1/data/query', query), () => direct('cache_hit'));
    await run('transaction: 1 insert + 1 Redis set', () => http('transaction', '/api/v1/data/transaction', transaction), () => direct('transaction'));

    // Not a scenario of the issue: the ceiling any HTTP answer has on this machine, for reading the others.
    process.stdout.write('http floor...\n');
    const floor = await runWorker('http-load-worker', { name: 'floor', url: `${base}/health/live`, method: 'GET', headers: {}, connections: CONNECTIONS, durationSeconds: DURATION });

    const errors = rows.flatMap((r) => [r.gateway, r.direct]).filter((r) => r.errors > 0);
    process.stdout.write(`\nMachine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`);
    process.stdout.write(`Duration ${DURATION}s per scenario, ${CONNECTIONS} connections, pool ${POOL_SIZE}, audit trail ${AUDIT_ENABLED === 'false' ? 'off' : 'on'}.\n\n`);
    process.stdout.write(`${formatTable(rows)}\n\n`);
    const [bypass, hits] = rows;
    if (bypass && hits) process.stdout.write(`cache hits / cache bypassed (gateway req/s): ${(hits.gateway.rps / bypass.gateway.rps).toFixed(2)}\n`);
    process.stdout.write(`HTTP floor (GET /health/live: no auth, no database, no rate limit): ${floor.rps.toFixed(0)} req/s, p50 ${floor.p50Ms} ms, p99 ${floor.p99Ms} ms\n`);
    if (errors.length > 0) process.stdout.write(`WARNING: errors in ${errors.map((e) => `${e.name} (${e.errors})`).join(', ')}\n`);
  } finally {
    await service.stop('SIGTERM').catch(() => undefined);
    await db.drop().catch(() => undefined);
    await clearPrefix(keyPrefix);
    fs.rmSync(home, { recursive: true, force: true });
  }
}

async function clearPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
