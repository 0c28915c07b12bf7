import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { aToken } from '../tests/support/tokens';
import { freePort } from '../tests/support/free-port';
import { ServiceProcess } from '../tests/support/service-process';
import { createBenchDatabase, seedProjects } from './support/bench-database';
import { formatTable, type LoadResult } from './support/load-result';
import { cpuSeconds } from './support/process-stats';
import { runWorker } from './support/run-worker';

/**
 * `npm run bench:gateway`: the gateway against the same work done directly with pg and ioredis, in
 * one run, on a 100k-row projects table. Needs PostgreSQL and Redis as the tests find them.
 */
/** BENCH_QUICK=1: 3 s scenarios and 3 A/B rounds of 4 s, to check the benchmark works in a few minutes. */
const QUICK = process.env.BENCH_QUICK === '1';
const DURATION = Number(process.env.BENCH_DURATION ?? (QUICK ? 3 : 10));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const POOL_SIZE = 20;
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'bench-secret-that-is-long-enough-for-production-use-0123456789';
/** AUDIT_ENABLED=false runs the service without the audit trail; BENCH_ONLY=transaction skips the query scenarios. */
const AUDIT_ENABLED = process.env.AUDIT_ENABLED ?? 'true';
const ONLY = process.env.BENCH_ONLY;
/**
 * Issue 11's A/B: the transaction against this service and against a second one on the same database
 * with the opposite AUDIT_ENABLED, alternated AB_ROUNDS times (each round starts at the other side),
 * medians compared. Runs in a full run and with BENCH_ONLY=audit (only it); BENCH_AUDIT_AB=0 skips it.
 */
const AB = process.env.BENCH_AUDIT_AB !== '0' && (!ONLY || ONLY === 'audit');
const AB_ROUNDS = Number(process.env.BENCH_AB_ROUNDS ?? (QUICK ? 3 : 5));
const AB_DURATION = Number(process.env.BENCH_AB_DURATION ?? (QUICK ? 4 : 10));
/** BENCH_POSTGRAPHILE=0 skips the PostGraphile 4 peer of the bypassed query. */
const POSTGRAPHILE = process.env.BENCH_POSTGRAPHILE !== '0';

async function main(): Promise<void> {
  const db = await createBenchDatabase();
  const keyPrefix = `vbbench:${Date.now().toString(36)}:`;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-bench-'));
  const port = await freePort();
  const serviceOn = (p: number, audit: string) =>
    new ServiceProcess({
      NODE_ENV: 'production', PORT: String(p), DATA_DIR: home, DATABASE_URL: db.url, REDIS_URL, REDIS_KEY_PREFIX: keyPrefix,
      JWT_SECRET: SECRET, MIGRATE_ON_START: 'true', DB_POOL_MAX: String(POOL_SIZE), LOG_LEVEL: 'warn', PROMETHEUS_PORT: '0',
      RATE_LIMIT_USER: '1000000000', RATE_LIMIT_ADMIN: '1000000000', AUDIT_ENABLED: audit,
      // Production refuses to start without a backup key (issue 9); none of this benchmark's work uses it.
      BACKUP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      // BENCH_WORKERS=2: the same service as two cluster workers (issue 12); forwarding needs its secret in production.
      WORKERS: process.env.BENCH_WORKERS ?? '1', INTERNAL_SECRET: randomBytes(32).toString('hex'),
      // BENCH_CPU_PROF_DIR: a V8 CPU profile of the service, written when it stops (support/cpu-profile-preload.cjs).
      ...(process.env.BENCH_CPU_PROF_DIR
        ? { BENCH_CPU_PROF_DIR: process.env.BENCH_CPU_PROF_DIR, NODE_OPTIONS: `--require ${path.join(__dirname, 'support', 'cpu-profile-preload.cjs')}` }
        : {}),
    });
  const service = serviceOn(port, AUDIT_ENABLED);
  let other: ServiceProcess | undefined;
  let peer: PostGraphilePeer | undefined;
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
    const http = (name: string, url: string, body: object, seconds = DURATION) =>
      runWorker('http-load-worker', { name, url: `${base}${url}`, method: 'POST', headers, body: JSON.stringify(body), connections: CONNECTIONS, durationSeconds: seconds });
    const direct = (name: string) =>
      runWorker('direct-load-worker', { name, databaseUrl: db.url, redisUrl: REDIS_URL, keyPrefix, userId, poolSize: POOL_SIZE, connections: CONNECTIONS, durationSeconds: DURATION });

    const rows: Array<{ scenario: string; gateway: LoadResult; direct: LoadResult; cpuUsPerRequest: number }> = [];
    const run = async (scenario: string, gateway: () => Promise<LoadResult>, baseline: () => Promise<LoadResult>) => {
      if (ONLY && !scenario.startsWith(ONLY)) return;
      process.stdout.write(`${scenario}...\n`);
      // The service's CPU per request (user + system, its process tree): less moved by other load on
      // the machine than req/s, which the shared cores cap.
      const cpuBefore = service.pid ? cpuSeconds(service.pid) : NaN;
      const measured = await gateway();
      const cpuUsPerRequest = ((service.pid ? cpuSeconds(service.pid) : NaN) - cpuBefore) * 1e6 / Math.max(1, measured.requests);
      rows.push({ scenario, gateway: measured, direct: await baseline(), cpuUsPerRequest });
    };
    // Unrecorded warm-up (JIT, pools, prepared statements): the first scenario is not a cold start.
    if (!ONLY || ONLY.startsWith('query')) await http('warm_up', '/api/v1/data/query', { ...query, cache: 'bypass' }, 2);
    await run('query, cache bypassed (20-row indexed page + count)', () => http('query_bypass', '/api/v1/data/query', { ...query, cache: 'bypass' }), () => direct('query'));
    let postgraphile: LoadResult | undefined;
    if (POSTGRAPHILE && (!ONLY || ONLY.startsWith('query') || ONLY === 'postgraphile')) {
      process.stdout.write('query, PostGraphile 4 (same page, JWT verified, row-level security)...\n');
      peer = await startPostGraphile(db.url);
      const peerBase = peer.base;
      // The same page as the gateway's: 20 of the caller's 100 projects, and their total (GraphQL errors answer 200).
      const check = await fetch(`${peerBase}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query: POSTGRAPHILE_PAGE }) });
      const page = (await check.json()) as { data?: { allProjects?: { totalCount: number; nodes: Array<{ userId: string }> } }; errors?: unknown };
      const got = page.data?.allProjects;
      if (!got || got.totalCount !== 100 || got.nodes.length !== 20 || got.nodes.some((n) => n.userId !== userId)) {
        throw new Error(`PostGraphile answered another page: ${JSON.stringify(page).slice(0, 500)}`);
      }
      const graphql = (seconds: number) =>
        runWorker('http-load-worker', {
          name: 'postgraphile', url: `${peerBase}/graphql`, method: 'POST', headers, body: JSON.stringify({ query: POSTGRAPHILE_PAGE }),
          connections: CONNECTIONS, durationSeconds: seconds,
        });
      await graphql(2); // unrecorded warm-up, as the gateway's
      postgraphile = await graphql(DURATION);
      // Not left running (CPU) while the other scenarios are measured.
      await peer.stop();
      peer = undefined;
    }
    await run('query, cache hits', () => http('query_hit', '/api/v1/data/query', query), () => direct('cache_hit'));
    await run('transaction: 1 insert + 1 Redis set', () => http('transaction', '/api/v1/data/transaction', transaction), () => direct('transaction'));

    let ab: AuditAb | undefined;
    if (AB) {
      const otherPort = await freePort();
      other = serviceOn(otherPort, AUDIT_ENABLED === 'false' ? 'true' : 'false');
      other.start();
      await other.waitFor(`http://127.0.0.1:${otherPort}/health`);
      const bases = AUDIT_ENABLED === 'false' ? { on: `http://127.0.0.1:${otherPort}`, off: base } : { on: base, off: `http://127.0.0.1:${otherPort}` };
      ab = { on: [], off: [] };
      const load = (side: 'on' | 'off', seconds: number) =>
        runWorker('http-load-worker', {
          name: `transaction_audit_${side}`, url: `${bases[side]}/api/v1/data/transaction`, method: 'POST', headers, body: JSON.stringify(transaction),
          connections: CONNECTIONS, durationSeconds: seconds,
        });
      // Unrecorded warm-up of both (JIT, pools, prepared statements): the first timed round is not a cold start for one side only.
      process.stdout.write('audit A/B warm-up...\n');
      for (const side of ['on', 'off'] as const) await load(side, 2);
      for (let round = 0; round < AB_ROUNDS; round++) {
        for (const side of round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
          process.stdout.write(`audit A/B round ${round + 1}/${AB_ROUNDS}, audit ${side}...\n`);
          ab[side].push(await load(side, AB_DURATION));
        }
      }
      // The trail the audited side wrote: chained and intact (the chainer links every second).
      const admin = await aToken({ role: 'admin', sub: userId, secret: SECRET, ttlSeconds: 3600 });
      const verify = await fetch(`${bases.on}/api/v1/audit/verify`, { headers: { authorization: `Bearer ${admin}` } });
      ab.verify = verify.ok ? ((await verify.json()) as { status: string; checked: number }) : { status: `HTTP ${verify.status}`, checked: 0 };
    }

    // Not a scenario of the issue: the ceiling any HTTP answer has on this machine, for reading the others.
    process.stdout.write('http floor...\n');
    const floor = await runWorker('http-load-worker', { name: 'floor', url: `${base}/health/live`, method: 'GET', headers: {}, connections: CONNECTIONS, durationSeconds: DURATION });

    const errors = [...rows.flatMap((r) => [r.gateway, r.direct]), ...(ab ? [...ab.on, ...ab.off] : []), ...(postgraphile ? [postgraphile] : [])].filter((r) => r.errors > 0);
    process.stdout.write(`\nMachine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`);
    process.stdout.write(`Workers ${process.env.BENCH_WORKERS ?? '1'}. Duration ${DURATION}s per scenario, ${CONNECTIONS} connections, pool ${POOL_SIZE}, audit trail ${AUDIT_ENABLED === 'false' ? 'off' : 'on'}.\n\n`);
    if (rows.length > 0) process.stdout.write(`${formatTable(rows)}\n\n`);
    for (const r of rows) process.stdout.write(`service CPU per request, ${r.scenario}: ${r.cpuUsPerRequest.toFixed(0)} µs\n`);
    const [bypass, hits] = rows;
    if (bypass && hits) process.stdout.write(`cache hits / cache bypassed (gateway req/s): ${(hits.gateway.rps / bypass.gateway.rps).toFixed(2)}\n`);
    if (postgraphile) {
      process.stdout.write(`PostGraphile 4, same page (JWT verified, row-level security): ${postgraphile.rps.toFixed(0)} req/s, p50 ${postgraphile.p50Ms} ms, p99 ${postgraphile.p99Ms} ms\n`);
      const gw = rows.find((r) => r.scenario.startsWith('query, cache bypassed'));
      if (gw) process.stdout.write(`gateway cache bypassed / PostGraphile 4 (req/s): ${(gw.gateway.rps / postgraphile.rps).toFixed(2)} (target ≥ 1.5)\n`);
    }
    process.stdout.write(`HTTP floor (GET /health/live: no auth, no database, no rate limit): ${floor.rps.toFixed(0)} req/s, p50 ${floor.p50Ms} ms, p99 ${floor.p99Ms} ms\n`);
    if (ab) reportAb(ab);
    if (errors.length > 0) process.stdout.write(`WARNING: errors in ${errors.map((e) => `${e.name} (${e.errors})`).join(', ')}\n`);
  } finally {
    await peer?.stop().catch(() => undefined);
    await other?.stop('SIGTERM').catch(() => undefined);
    await service.stop('SIGTERM').catch(() => undefined);
    await db.drop().catch(() => undefined);
    await clearPrefix(keyPrefix);
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/**
 * The page of the bypassed query as a PostGraphile client asks for it: the caller's 20 newest projects
 * (the row-level policy scopes them, as the gateway's row scope does), every column, and the total.
 * PostGraphile appends the primary key to the order, as the gateway appends its tie-breaker.
 */
const POSTGRAPHILE_PAGE = `{ allProjects(first: 20, orderBy: [CREATED_AT_DESC, PRIMARY_KEY_ASC]) {
  totalCount
  nodes { id userId title description status visibility sourceContentId generatedContentId settings metadata createdAt updatedAt deletedAt }
} }`;

interface PostGraphilePeer {
  base: string;
  stop(): Promise<void>;
}

/**
 * PostGraphile 4 (a benchmark-only dev dependency) on the bench database, in its own process, with the
 * usual per-user setup: a role without BYPASSRLS that requests run as, and a policy on projects that
 * reads the caller from the verified JWT's claims. The service connects as a superuser, so the policy
 * does not apply to it; the role is the cluster's, so it is dropped with the run.
 */
async function startPostGraphile(databaseUrl: string): Promise<PostGraphilePeer> {
  const role = `vb_bench_pg4_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE ROLE ${role} NOLOGIN`);
    await admin.query(`GRANT USAGE ON SCHEMA public TO ${role}; GRANT SELECT ON projects TO ${role}`);
    await admin.query('ALTER TABLE projects ENABLE ROW LEVEL SECURITY');
    await admin.query(`CREATE POLICY bench_pg4_owner ON projects FOR SELECT TO ${role} USING (user_id = current_setting('jwt.claims.sub', true)::uuid)`);
  } finally {
    await admin.end();
  }
  const port = await freePort();
  const root = path.resolve(__dirname, '..');
  const child: ChildProcess = spawn(path.join(root, 'node_modules/.bin/tsx'), [path.join(__dirname, 'support', 'postgraphile-server.ts'), JSON.stringify({ databaseUrl, role, secret: SECRET, poolSize: POOL_SIZE, port })], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`PostGraphile did not start:\n${output}`)), 60_000);
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`listening ${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', seen);
    child.stderr?.on('data', seen);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`PostGraphile exited (${code}):\n${output}`));
    });
  });
  const dropRole = async () => {
    const c = new Client({ connectionString: databaseUrl });
    await c.connect();
    try {
      await c.query('DROP POLICY IF EXISTS bench_pg4_owner ON projects');
      await c.query('ALTER TABLE projects DISABLE ROW LEVEL SECURITY');
      await c.query(`DROP OWNED BY ${role}; DROP ROLE IF EXISTS ${role}`);
    } finally {
      await c.end();
    }
  };
  return {
    base: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await dropRole();
    },
  };
}

interface AuditAb {
  on: LoadResult[];
  off: LoadResult[];
  verify?: { status: string; checked: number };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function reportAb(ab: AuditAb): void {
  const out = (line: string) => process.stdout.write(line);
  out(`\nAudit A/B (issue 11): POST /api/v1/data/transaction, two services on one database, AUDIT_ENABLED true / false, ` +
    `${AB_ROUNDS} interleaved rounds of ${AB_DURATION}s, ${CONNECTIONS} connections\n\n`);
  out('| audit | runs req/s | median req/s | median p50 ms | median p99 ms |\n|---|---|---:|---:|---:|\n');
  for (const side of ['off', 'on'] as const) {
    const r = ab[side];
    out(`| ${side} | ${r.map((x) => x.rps.toFixed(0)).join(', ')} | ${median(r.map((x) => x.rps)).toFixed(0)} | ${median(r.map((x) => x.p50Ms)).toFixed(2)} | ${median(r.map((x) => x.p99Ms)).toFixed(2)} |\n`);
  }
  const ratio = median(ab.on.map((x) => x.rps)) / median(ab.off.map((x) => x.rps));
  // Per round too: each pair ran back to back, so its ratio is less exposed to drift than the medians'.
  const pairs = ab.on.map((on, i) => on.rps / (ab.off[i]?.rps ?? NaN));
  out(`\naudit on / off (median req/s): ${ratio.toFixed(2)} (target ≥ 0.90); per round: ${pairs.map((p) => p.toFixed(2)).join(', ')}, median ${median(pairs).toFixed(2)}\n`);
  if (ab.verify) out(`chain after the runs: ${ab.verify.status} (${ab.verify.checked} entries checked)\n`);
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
