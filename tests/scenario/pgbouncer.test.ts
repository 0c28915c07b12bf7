import { createHash, randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, type PoolClient } from 'pg';
import { MIGRATION_LOCK_KEY } from '../../src/adapters/postgres/pg-migration-schema';
import { PgPreparedStatements } from '../../src/adapters/postgres/pg-prepared-statements';
import { freePort } from '../support/free-port';
import { aPng } from '../support/media-fixtures';
import { startPgBouncer, type RunningPgBouncer } from '../support/pgbouncer';
import { currentRun } from '../support/run-resources';
import { scratchDatabase } from '../support/scratch-database';
import { ServiceProcess } from '../support/service-process';
import { aToken, TEST_JWT_SECRET } from '../support/tokens';

/*
 * The service with DATABASE_URL through Debian's PgBouncer in transaction mode, as the README
 * configures it: DB_PREPARED_STATEMENTS=false (PgBouncer before 1.21 cannot keep named statements
 * across server connections) and DATABASE_SESSION_URL straight to PostgreSQL for the migration lock.
 * The last block shows, on PgBouncer alone, why each of those settings exists.
 */
jest.setTimeout(60_000);

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const someText = (size: number) => Buffer.from(randomBytes(Math.ceil(size / 2)).toString('hex')).subarray(0, size);

let bouncer: RunningPgBouncer;
let service: ServiceProcess;
let base: string;
let databaseUrl: string;
let db: Client;
let dropDatabase: (() => Promise<void>) | undefined;
let dir: string;
let token: string;

async function call(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(base + route, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const serverUser = () => decodeURIComponent(new URL(currentRun().adminUrl).username) || 'postgres';

beforeAll(async () => {
  const run = currentRun();
  const scratch = await scratchDatabase();
  dropDatabase = scratch.drop;
  databaseUrl = scratch.url;
  bouncer = await startPgBouncer({ serverUser: serverUser(), poolMode: 'transaction', defaultPoolSize: 8 });
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'vb-pgbouncer-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  service = new ServiceProcess({
    NODE_ENV: 'test',
    PORT: String(port),
    PROMETHEUS_PORT: '0',
    DATABASE_URL: bouncer.through(scratch.url),
    DATABASE_SESSION_URL: scratch.url,
    DB_PREPARED_STATEMENTS: 'false',
    REDIS_URL: run.redisUrl,
    REDIS_KEY_PREFIX: `${run.keyPrefix}pgbouncer:`,
    MIGRATE_ON_START: 'true',
    JWT_SECRET: TEST_JWT_SECRET,
    STORAGE_PROVIDER: 'local_disk',
    STORAGE_DIR: path.join(dir, 'storage'),
    DATA_DIR: dir,
    TRANSFORM_CONCURRENCY: '1',
    BACKUP_WORKERS: '0',
    LOG_LEVEL: 'warn',
  });
  service.start();
  await service.waitFor(`${base}/health/ready`, 200, 100_000);
  db = new Client({ connectionString: scratch.url });
  await db.connect();
  token = await aToken({ role: 'user' });
  expect((await call('POST', '/api/v1/data/transaction', { operations: [{ database: 'postgresql', operation: 'insert', table: 'users', data: { email: 'b@example.com', password_hash: 'x' } }] })).status).toBe(200);
}, 150_000);

afterAll(async () => {
  await service?.stop().catch(() => undefined);
  await db?.end().catch(() => undefined);
  await bouncer?.stop();
  await dropDatabase?.();
  if (dir) await fsp.rm(dir, { recursive: true, force: true });
}, 60_000);

describe('the service through PgBouncer in transaction mode', () => {
  it('migrates at start (the lock on DATABASE_SESSION_URL) and leaves the migration lock released', async () => {
    const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM schema_migrations');
    expect(Number(rows[0]!.n)).toBeGreaterThan(10);
    const locks = await db.query(
      "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND (classid::bigint << 32 | objid::bigint) = $1::bigint AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      [MIGRATION_LOCK_KEY],
    );
    expect(locks.rows).toEqual([]);
    expect((await fetch(`${base}/health`).then((r) => r.json()) as any).status).toBe('UP');
  });

  it('transactions with Redis effects, 40 at once over 8 server connections: all committed, every effect applied', async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        call('POST', '/api/v1/data/transaction', {
          operations: [
            { database: 'postgresql', operation: 'insert', table: 'projects', data: { title: `bounced-${i}` }, returning: ['id'] },
            { database: 'redis', operation: 'incr', key: 'bounced' },
          ],
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
    expect(answers.map((a) => a.body.results[1])).toEqual(Array(40).fill({ operation: 2, status: 'success', data: { applied: true } }));
    const { rows } = await db.query<{ n: string }>("SELECT count(*) AS n FROM projects WHERE title LIKE 'bounced-%'");
    expect(rows[0]!.n).toBe('40');
    const counter = await call('POST', '/api/v1/data/query', { database: 'redis', query_type: 'get', key: 'bounced' });
    expect(counter.body.data).toEqual({ bounced: '40' });
  });

  it('queries: miss, hit and bypass, repeated over the pooled server connections', async () => {
    const query = { database: 'postgresql', query_type: 'select', table: 'projects', filters: { title: { like: 'bounced-%' } }, fields: ['title'], pagination: { page: 1, limit: 100 } };
    const first = await call('POST', '/api/v1/data/query', query);
    expect(first.status).toBe(200);
    expect(first.body.pagination.total).toBe(40);
    expect((await call('POST', '/api/v1/data/query', query)).body.cache).toBe('hit');
    const bypassed = await Promise.all(Array.from({ length: 20 }, () => call('POST', '/api/v1/data/query', { ...query, cache: 'bypass' })));
    expect(bypassed.map((b) => [b.status, b.body.pagination.total])).toEqual(Array(20).fill([200, 40]));
  });

  it('uploads and downloads', async () => {
    const content = someText(2 * 1024 * 1024 + 5);
    const form = new FormData();
    form.append('file', new Blob([content], { type: 'text/plain' }), 'bounced.txt');
    const res = await fetch(`${base}/api/v1/storage/upload`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
    expect(res.status).toBe(201);
    const id = ((await res.json()) as any).file.id as string;
    const back = await fetch(`${base}/api/v1/storage/stream/${id}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(sha256(Buffer.from(await back.arrayBuffer()))).toBe(sha256(content));
  });

  it('leases: an interactive transaction holds one server connection until commit or rollback', async () => {
    const acquire = () => call('POST', '/api/v1/connections/acquire', { service_name: 'bouncer', database_type: 'postgresql', operation_type: 'write', ttl_seconds: 60 });
    const insert = (conn: string, title: string) =>
      call('POST', '/api/v1/data/transaction', { connection_id: conn, operations: [{ database: 'postgresql', operation: 'insert', table: 'projects', data: { title }, returning: ['id'] }] });
    const count = async (title: string) => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM projects WHERE title = $1', [title])).rows[0]!.n);
    for (const end of ['rollback', 'commit'] as const) {
      const conn = (await acquire()).body.connection_id as string;
      expect((await call('POST', `/api/v1/connections/${conn}/begin`)).status).toBe(200);
      expect((await insert(conn, `lease-${end}`)).body.status).toBe('pending_commit');
      // Other traffic meanwhile, on the other server connections.
      await Promise.all(Array.from({ length: 10 }, () => call('POST', '/api/v1/data/query', { database: 'postgresql', query_type: 'select', table: 'projects', fields: ['id'], cache: 'bypass' })));
      const seen = await call('POST', '/api/v1/data/query', { connection_id: conn, database: 'postgresql', query_type: 'select', table: 'projects', filters: { title: `lease-${end}` }, fields: ['title'] });
      expect(seen.body.data).toEqual([{ title: `lease-${end}` }]);
      expect(await count(`lease-${end}`)).toBe(0);
      expect((await call('POST', `/api/v1/connections/${conn}/${end}`)).status).toBe(200);
      expect(await count(`lease-${end}`)).toBe(end === 'commit' ? 1 : 0);
      expect((await call('POST', '/api/v1/connections/release', { connection_id: conn, service_name: 'bouncer' })).status).toBe(200);
    }
  });

  it('the transformation queue (pg-boss) works through it', async () => {
    const form = new FormData();
    form.append('file', new Blob([aPng(40, 30)], { type: 'image/png' }), 'p.png');
    const up = await fetch(`${base}/api/v1/storage/upload`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
    expect(up.status).toBe(201);
    const source = ((await up.json()) as any).file.id as string;
    const queued = await call('POST', '/api/v1/storage/transform', { source_file_id: source, transformation_type: 'image_resize', parameters: { width: 20, height: 15, format: 'png' } });
    expect(queued.status).toBe(202);
    const deadline = Date.now() + 30_000;
    let status = '';
    while (Date.now() < deadline && !['completed', 'failed', 'cancelled'].includes(status)) {
      status = (await call('GET', `/api/v1/storage/transform/${queued.body.transformation.id}`)).body.transformation.status;
      if (status !== 'completed') await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe('completed');
  });
});

/** Why the settings above exist, shown on PgBouncer alone (same version, same mode). */
describe('what transaction pooling does not carry', () => {
  it('a session-level advisory lock stays held on the server connection after its client has gone (hence DATABASE_SESSION_URL)', async () => {
    const client = new Client({ connectionString: bouncer.through(databaseUrl) });
    await client.connect();
    await client.query('SELECT pg_advisory_lock(424242)');
    await client.end();
    const { rows } = await db.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 424242 AND granted");
    expect(rows).toHaveLength(1);
    // Whoever gets that server connection next holds it: release it through a direct connection's view.
    await db.query("SELECT pg_terminate_backend(l.pid) FROM pg_locks l WHERE l.locktype = 'advisory' AND l.objid = 424242");
  });

  it('statement_timeout sent at connect is dropped (ignore_startup_parameters): set it on the role instead', async () => {
    const client = new Client({ connectionString: bouncer.through(databaseUrl), statement_timeout: 1234 });
    await client.connect();
    const { rows } = await client.query<{ statement_timeout: string }>('SHOW statement_timeout');
    await client.end();
    expect(rows[0]!.statement_timeout).not.toBe('1234ms');
  });

  it('named prepared statements are per server connection: before PgBouncer 1.21 the service\'s named statements collide, unnamed ones do not (hence DB_PREPARED_STATEMENTS=false)', async () => {
    if (bouncer.version[0]! > 1 || bouncer.version[1]! >= 21) return; // max_prepared_statements tracks them there
    // One server connection behind two clients: what the second prepares meets the first's name.
    const single = await startPgBouncer({ serverUser: serverUser(), poolMode: 'transaction', defaultPoolSize: 1 });
    const statement = { text: 'SELECT $1::int + 1 AS n', values: [41] };
    const one = new Client({ connectionString: single.through(databaseUrl) });
    const two = new Client({ connectionString: single.through(databaseUrl) });
    try {
      await one.connect();
      await two.connect();
      // What DB_PREPARED_STATEMENTS=true does (the default): one name per statement text, on every connection.
      const named = new PgPreparedStatements();
      expect((await named.query(one as unknown as PoolClient, statement)).rows).toEqual([{ n: 42 }]);
      await expect(named.query(two as unknown as PoolClient, statement)).rejects.toThrow(/prepared statement "vb_stmt_\d+" already exists/);
      // DB_PREPARED_STATEMENTS=false: no names, nothing to collide.
      const unnamed = new PgPreparedStatements(0);
      for (const client of [one, two, one, two]) expect((await unnamed.query(client as unknown as PoolClient, statement)).rows).toEqual([{ n: 42 }]);
    } finally {
      await Promise.all([one.end(), two.end()]).catch(() => undefined);
      await single.stop();
    }
  });
});
