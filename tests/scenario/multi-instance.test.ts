import { createHash, randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../support/free-port';
import { listeningPid } from '../support/listening-pid';
import { aPng } from '../support/media-fixtures';
import { startNginx, type RunningNginx } from '../support/nginx';
import { currentRun } from '../support/run-resources';
import { scratchDatabase } from '../support/scratch-database';
import { ServiceProcess } from '../support/service-process';
import { aToken, TEST_JWT_SECRET } from '../support/tokens';

/*
 * Three instances of the real service (its main, each in its own process and on its own port) sharing
 * one PostgreSQL database, one Redis key prefix and one DATA_DIR/STORAGE_DIR, behind Debian's nginx
 * balancing round robin: what a deployment of several machines relies on, through the balancer.
 * Only instance C works the transformation queue (TRANSFORM_CONCURRENCY), so a job queued through A
 * and followed through B is known to have run elsewhere. B is killed with SIGKILL near the end.
 */
jest.setTimeout(60_000);

const PREMIUM_LIMIT = 8;
/** BACKUP_ENCRYPTION_KEY (32 bytes in base64), the same for all three. */
const backupKey = randomBytes(32).toString('base64');
const CHUNK = 256 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
/** Plain text (hex) of `size` bytes: no metadata extraction to wait for (pdf-lib on random bytes takes seconds). */
const someText = (size: number) => Buffer.from(randomBytes(Math.ceil(size / 2)).toString('hex')).subarray(0, size);

interface Instance {
  name: 'A' | 'B' | 'C';
  port: number;
  base: string;
  process: ServiceProcess;
}

let instances: Instance[];
let nginx: RunningNginx;
let db: Client;
let dropDatabase: (() => Promise<void>) | undefined;
let sharedDir: string;
let token: string;

const A = () => instances[0]!;
const B = () => instances[1]!;
const C = () => instances[2]!;

async function call(base: string, method: string, route: string, body?: unknown, tok = token): Promise<{ status: number; body: any; upstream: string | null }> {
  const res = await fetch(base + route, {
    method,
    headers: { Authorization: `Bearer ${tok}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, upstream: res.headers.get('x-upstream') };
}

async function bytesOf(base: string, route: string): Promise<Buffer> {
  const res = await fetch(base + route, { headers: { Authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

async function upload(base: string, content: Buffer, name: string, type: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([content], { type }), name);
  const res = await fetch(`${base}/api/v1/storage/upload`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
  const body = (await res.json()) as any;
  expect(res.status).toBe(201);
  return body.file.id as string;
}

const selectProject = (id: string) => ({ database: 'postgresql', query_type: 'select', table: 'projects', filters: { id }, fields: ['id', 'title'] });

beforeAll(async () => {
  const run = currentRun();
  const scratch = await scratchDatabase();
  dropDatabase = scratch.drop;
  sharedDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'vb-multi-'));
  const ports = await Promise.all([freePort(), freePort(), freePort()]);
  instances = (['A', 'B', 'C'] as const).map((name, i) => {
    const port = ports[i]!;
    const service = new ServiceProcess({
      NODE_ENV: 'test',
      PORT: String(port),
      PROMETHEUS_PORT: '0',
      INSTANCE_ID: `inst-${name.toLowerCase()}`,
      DATABASE_URL: scratch.url,
      REDIS_URL: run.redisUrl,
      REDIS_KEY_PREFIX: `${run.keyPrefix}multi:`,
      // All three migrate at start, at once: the migration lock lets one run and the others wait.
      MIGRATE_ON_START: 'true',
      JWT_SECRET: TEST_JWT_SECRET,
      // Shared secrets, as a deployment sets them: nothing per instance generated under DATA_DIR.
      STORAGE_SIGNING_SECRET: 'multi-instance-signing-secret-0123456789abcdef',
      BACKUP_ENCRYPTION_KEY: backupKey,
      STORAGE_PROVIDER: 'local_disk',
      STORAGE_DIR: path.join(sharedDir, 'storage'),
      DATA_DIR: sharedDir,
      TRANSFORM_CONCURRENCY: name === 'C' ? '1' : '0',
      BACKUP_WORKERS: '0',
      RATE_LIMIT_USER: '100000',
      RATE_LIMIT_PREMIUM: String(PREMIUM_LIMIT),
      RATE_LIMIT_WINDOW_MS: '60000',
      LOG_LEVEL: 'warn',
    });
    return { name, port, base: `http://127.0.0.1:${port}`, process: service };
  });
  // tsx start-up is the cost here: the three start in parallel.
  for (const instance of instances) instance.process.start();
  await Promise.all(instances.map((i) => i.process.waitFor(`${i.base}/health/ready`, 200, 100_000)));
  nginx = await startNginx({ upstreamPorts: ports, maxFails: 1, failTimeoutSeconds: 30 });
  db = new Client({ connectionString: scratch.url });
  await db.connect();

  token = await aToken({ role: 'user' });
  const me = await call(A().base, 'POST', '/api/v1/data/transaction', {
    operations: [{ database: 'postgresql', operation: 'insert', table: 'users', data: { email: 'multi@example.com', password_hash: 'x' }, returning: ['id'] }],
  });
  expect(me.status).toBe(200);
}, 150_000);

afterAll(async () => {
  await nginx?.stop();
  await Promise.all((instances ?? []).map((i) => i.process.stop().catch(() => undefined)));
  await db?.end().catch(() => undefined);
  await dropDatabase?.();
  if (sharedDir) await fsp.rm(sharedDir, { recursive: true, force: true });
}, 60_000);

describe('three instances behind nginx', () => {
  it('nginx spreads requests over the three instances, round robin', async () => {
    const upstreams = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const res = await call(nginx.url, 'GET', '/health');
      expect(res.status).toBe(200);
      upstreams.add(res.upstream!);
    }
    expect(upstreams).toEqual(new Set(instances.map((i) => `127.0.0.1:${i.port}`)));
  });

  it('a file uploaded through one instance downloads byte for byte through the others and through the balancer', async () => {
    const content = someText(3 * 1024 * 1024 + 17);
    const id = await upload(A().base, content, 'shared.txt', 'text/plain');
    for (const base of [B().base, C().base, nginx.url, nginx.url, nginx.url]) {
      expect(sha256(await bytesOf(base, `/api/v1/storage/stream/${id}`))).toBe(sha256(content));
    }
    // The signed download URL one instance issues is honoured by another (shared signing secret).
    const redirect = await fetch(`${B().base}/api/v1/storage/download/${id}`, { headers: { Authorization: `Bearer ${token}` }, redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const signed = new URL(redirect.headers.get('location')!, B().base);
    const viaC = await fetch(`${C().base}${signed.pathname}${signed.search}`);
    expect(viaC.status).toBe(200);
    expect(sha256(Buffer.from(await viaC.arrayBuffer()))).toBe(sha256(content));
  });

  it('a large upload streams through the balancer (no body limit or buffering of its own)', async () => {
    const content = someText(24 * 1024 * 1024);
    const id = await upload(nginx.url, content, 'large.txt', 'text/plain');
    expect(sha256(await bytesOf(nginx.url, `/api/v1/storage/stream/${id}`))).toBe(sha256(content));
  });

  it('a resumable upload whose chunks land on different instances completes into one file', async () => {
    const content = someText(4 * CHUNK + 1234);
    const init = await call(A().base, 'POST', '/api/v1/storage/upload/resumable/init', { filename: 'chunked.txt', file_size: content.length, mime_type: 'text/plain', chunk_size: CHUNK });
    expect(init.status).toBe(201);
    const sessionId = init.body.upload_session.session_id as string;
    const chunks = Math.ceil(content.length / CHUNK);
    let last: Response | undefined;
    // Out of order too: chunk 1 first, through C; then 0 through A, and so on round the instances.
    for (const index of [1, 0, 2, 4, 3]) {
      const body = content.subarray(index * CHUNK, (index + 1) * CHUNK);
      const target = instances[index % 3]!;
      last = await fetch(`${target.base}/api/v1/storage/upload/resumable/chunk`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream', 'X-Upload-Session': sessionId, 'X-Chunk-Index': String(index), 'X-Chunk-Checksum': md5(body) },
        body,
      });
      expect([200, 201]).toContain(last.status);
    }
    expect(chunks).toBe(5);
    const done = (await last!.json()) as any;
    expect(last!.status).toBe(201);
    expect(sha256(await bytesOf(nginx.url, `/api/v1/storage/stream/${done.file.id}`))).toBe(sha256(content));
    const status = await call(B().base, 'GET', `/api/v1/storage/upload/resumable/${sessionId}`);
    expect(status.status).toBe(200);
  });

  it('a tus upload whose PATCHes go to different instances completes into one file', async () => {
    const content = someText(3 * 100_000 + 77);
    const meta = `filename ${Buffer.from('tus.txt').toString('base64')},filetype ${Buffer.from('text/plain').toString('base64')}`;
    const tus = { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0' };
    const created = await fetch(`${B().base}/api/v1/storage/tus`, { method: 'POST', headers: { ...tus, 'Upload-Length': String(content.length), 'Upload-Metadata': meta } });
    expect(created.status).toBe(201);
    const location = new URL(created.headers.get('location')!, B().base).pathname;
    const uploadId = location.split('/').pop()!;
    const cuts = [0, 100_000, 200_000, content.length];
    const targets = [C(), A(), B()];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${targets[i]!.base}${location}`, {
        method: 'PATCH',
        headers: { ...tus, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(cuts[i]) },
        body: content.subarray(cuts[i], cuts[i + 1]),
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('upload-offset')).toBe(String(cuts[i + 1]));
    }
    const head = await fetch(`${nginx.url}${location}`, { method: 'HEAD', headers: tus });
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(content.length));
    const { rows } = await db.query<{ file_id: string; status: string }>('SELECT file_id, status FROM upload_sessions WHERE id = $1', [uploadId]);
    expect(rows[0]?.status).toBe('completed');
    expect(sha256(await bytesOf(nginx.url, `/api/v1/storage/stream/${rows[0]!.file_id}`))).toBe(sha256(content));
  });

  it('a read after a write through another instance is never stale, with the read cache on', async () => {
    const created = await call(A().base, 'POST', '/api/v1/data/transaction', {
      operations: [{ database: 'postgresql', operation: 'insert', table: 'projects', data: { title: 'v0' }, returning: ['id'] }],
    });
    expect(created.status).toBe(200);
    const id = created.body.results[0].data.id as string;
    for (let round = 1; round <= 6; round++) {
      // Every instance has this page cached (a hit where it read it before) ...
      for (const reader of instances) {
        const res = await call(reader.base, 'POST', '/api/v1/data/query', selectProject(id));
        expect(res.body.data).toEqual([{ id, title: `v${round - 1}` }]);
      }
      expect((await call(B().base, 'POST', '/api/v1/data/query', selectProject(id))).body.cache).toBe('hit');
      // ... then one of them writes, and the others read at once: the new title, never the cached one.
      const writer = instances[round % 3]!;
      const write = await call(writer.base, 'POST', '/api/v1/data/transaction', {
        operations: [
          { database: 'postgresql', operation: 'update', table: 'projects', filters: { id }, data: { title: `v${round}` }, returning: ['id'] },
          { database: 'redis', operation: 'set', key: `title:${id}`, value: `v${round}` },
        ],
      });
      expect(write.status).toBe(200);
      expect(write.body.results[1]).toEqual({ operation: 2, status: 'success', data: { applied: true } });
      for (const reader of instances.filter((i) => i !== writer)) {
        const read = await call(reader.base, 'POST', '/api/v1/data/query', selectProject(id));
        expect(read.body.data).toEqual([{ id, title: `v${round}` }]);
        const key = await call(reader.base, 'POST', '/api/v1/data/query', { database: 'redis', query_type: 'get', key: `title:${id}` });
        expect(key.body.data).toEqual({ [`title:${id}`]: `v${round}` });
      }
    }
  });

  it('a transformation queued through one instance is run by another and reported by a third', async () => {
    const source = await upload(A().base, aPng(64, 48), 'photo.png', 'image/png');
    // A and B work no queue (TRANSFORM_CONCURRENCY=0): only C can run it.
    const queued = await call(A().base, 'POST', '/api/v1/storage/transform', {
      source_file_id: source,
      transformation_type: 'image_resize',
      parameters: { width: 32, height: 24, maintain_aspect_ratio: true, format: 'png' },
      output_name: 'small.png',
    });
    expect(queued.status).toBe(202);
    const id = queued.body.transformation.id as string;
    const deadline = Date.now() + 30_000;
    let report: { status: number; body: any } | undefined;
    while (Date.now() < deadline) {
      report = await call(B().base, 'GET', `/api/v1/storage/transform/${id}`);
      if (['completed', 'failed', 'cancelled'].includes(report.body.transformation?.status)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(report!.body.transformation).toMatchObject({ status: 'completed', progress_percent: 100, error_message: null });
    const output = report!.body.output_file;
    expect(output).toMatchObject({ mime_type: 'image/png' });
    const bytes = await bytesOf(nginx.url, `/api/v1/storage/stream/${output.id}`);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
  });

  it('one rate limit per caller across the instances: spread over all three, the limit holds', async () => {
    const premium = await aToken({ role: 'premium' });
    const seen: { status: number; upstream: string | null }[] = [];
    for (let i = 0; i < 3 * PREMIUM_LIMIT; i++) seen.push(await call(nginx.url, 'GET', '/api/v1/storage/files?limit=1', undefined, premium));
    const ok = seen.filter((s) => s.status === 200);
    const limited = seen.filter((s) => s.status === 429);
    expect(ok.length + limited.length).toBe(seen.length);
    // Three instances each counting alone would let 3× the limit through.
    expect(ok.length).toBeGreaterThanOrEqual(PREMIUM_LIMIT);
    expect(ok.length).toBeLessThan(2 * PREMIUM_LIMIT);
    expect(new Set(ok.map((s) => s.upstream)).size).toBe(3);
    expect(new Set(limited.map((s) => s.upstream)).size).toBe(3);
  });

  it('a lease is used through the instance that granted it: begin, writes, query, commit, release', async () => {
    const acquired = await call(C().base, 'POST', '/api/v1/connections/acquire', { service_name: 'multi', database_type: 'postgresql', operation_type: 'write', ttl_seconds: 60 });
    expect(acquired.status).toBe(201);
    const conn = acquired.body.connection_id as string;
    expect((await call(C().base, 'POST', `/api/v1/connections/${conn}/begin`)).status).toBe(200);
    const write = await call(C().base, 'POST', '/api/v1/data/transaction', {
      connection_id: conn,
      operations: [
        { database: 'postgresql', operation: 'insert', table: 'projects', data: { title: 'leased' }, returning: ['id'] },
        { database: 'redis', operation: 'set', key: 'leased', value: 'yes' },
      ],
    });
    expect(write.body.status).toBe('pending_commit');
    const id = write.body.results[0].data.id as string;
    // Not committed yet: the other instances do not see it.
    expect((await call(A().base, 'POST', '/api/v1/data/query', selectProject(id))).body.data).toEqual([]);
    expect((await call(C().base, 'POST', '/api/v1/connections/' + conn + '/commit')).status).toBe(200);
    expect((await call(A().base, 'POST', '/api/v1/data/query', selectProject(id))).body.data).toEqual([{ id, title: 'leased' }]);
    expect((await call(B().base, 'POST', '/api/v1/data/query', { database: 'redis', query_type: 'get', key: 'leased' })).body.data).toEqual({ leased: 'yes' });
    expect((await call(C().base, 'POST', '/api/v1/connections/release', { connection_id: conn, service_name: 'multi' })).status).toBe(200);
  });

  it('a lease used from anywhere: acquired through A, begin through B, a transaction and queries through nginx, commit and release through A', async () => {
    const acquired = await call(A().base, 'POST', '/api/v1/connections/acquire', { service_name: 'multi', database_type: 'postgresql', operation_type: 'write', ttl_seconds: 60 });
    expect(acquired.status).toBe(201);
    const conn = acquired.body.connection_id as string;
    expect((await call(B().base, 'POST', `/api/v1/connections/${conn}/begin`)).status).toBe(200);
    // Round robin sends these to every instance in turn: each forwards to A, which holds the session.
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const write = await call(nginx.url, 'POST', '/api/v1/data/transaction', {
        connection_id: conn,
        operations: [
          { database: 'postgresql', operation: 'insert', table: 'projects', data: { title: `roaming-${i}` }, returning: ['id'] },
          { database: 'redis', operation: 'set', key: `roaming:${i}`, value: String(i) },
        ],
      });
      expect(write.status).toBe(200);
      expect(write.body.status).toBe('pending_commit');
      ids.push(write.body.results[0].data.id as string);
      // Inside the lease's transaction the row is visible; outside it, not yet.
      expect((await call(nginx.url, 'POST', '/api/v1/data/query', { ...selectProject(ids[i]!), connection_id: conn })).body.data).toHaveLength(1);
      expect((await call(C().base, 'POST', '/api/v1/data/query', selectProject(ids[i]!))).body.data).toEqual([]);
    }
    expect((await call(A().base, 'POST', `/api/v1/connections/${conn}/commit`)).status).toBe(200);
    const { rows } = await db.query('SELECT id FROM projects WHERE id = ANY($1::uuid[])', [ids]);
    expect(rows).toHaveLength(3);
    const redis = await call(C().base, 'POST', '/api/v1/data/query', { database: 'redis', query_type: 'get', keys: ['roaming:0', 'roaming:1', 'roaming:2'] });
    expect(redis.body.data).toEqual({ 'roaming:0': '0', 'roaming:1': '1', 'roaming:2': '2' });
    expect((await call(A().base, 'POST', '/api/v1/connections/release', { connection_id: conn, service_name: 'multi' })).status).toBe(200);
  });

  it('one instance killed (SIGKILL) mid-scenario: the others keep serving through nginx, and no acknowledged write is lost', async () => {
    const acknowledged: { i: number; id: string }[] = [];
    const failedWrites: number[] = [];
    const reads: number[] = [];
    let next = 0;
    let stop = false;
    const writer = async () => {
      while (!stop) {
        const i = next++;
        const res = await call(nginx.url, 'POST', '/api/v1/data/transaction', {
          operations: [
            { database: 'postgresql', operation: 'insert', table: 'projects', data: { title: `kill-${i}` }, returning: ['id'] },
            { database: 'redis', operation: 'set', key: `kill:${i}`, value: String(i) },
          ],
        }).catch(() => ({ status: 0, body: undefined, upstream: null }));
        if (res.status === 200) acknowledged.push({ i, id: res.body.results[0].data.id });
        else failedWrites.push(res.status);
      }
    };
    const reader = async () => {
      while (!stop) reads.push((await call(nginx.url, 'GET', '/api/v1/storage/files?limit=1').catch(() => ({ status: 0 }))).status);
    };
    // A lease held by the instance about to die, with an uncommitted insert in its transaction.
    const leased = await call(B().base, 'POST', '/api/v1/connections/acquire', { service_name: 'multi', database_type: 'postgresql', operation_type: 'write', ttl_seconds: 60 });
    const conn = leased.body.connection_id as string;
    expect((await call(B().base, 'POST', `/api/v1/connections/${conn}/begin`)).status).toBe(200);
    const orphan = await call(B().base, 'POST', '/api/v1/data/transaction', {
      connection_id: conn,
      operations: [{ database: 'postgresql', operation: 'insert', table: 'projects', data: { title: 'never-committed' }, returning: ['id'] }],
    });
    expect(orphan.body.status).toBe('pending_commit');
    const loops = [writer(), writer(), writer(), reader(), reader()];
    await new Promise((r) => setTimeout(r, 1_500));
    const victim = B();
    // The service itself, then the tsx launcher: nothing of B may survive to answer.
    process.kill(listeningPid(victim.port), 'SIGKILL');
    process.kill(victim.process.pid!, 'SIGKILL');
    const readsAtKill = reads.length;
    await new Promise((r) => setTimeout(r, 3_000));
    stop = true;
    await Promise.all(loops);

    expect(await fetch(`${victim.base}/health`).catch(() => 'refused')).toBe('refused');
    // Idempotent reads are retried by nginx on another instance: not one failed, before or after.
    expect(reads.length).toBeGreaterThan(readsAtKill);
    expect(reads.filter((s) => s !== 200)).toEqual([]);
    // A write in flight on B at the kill may fail (nginx never replays a POST that reached an instance);
    // at most one per writer, and none once nginx has taken B out.
    expect(failedWrites.length).toBeLessThanOrEqual(3);
    expect(acknowledged.length).toBeGreaterThan(10);

    // No acknowledged write is lost: every row and every Redis effect is there.
    const { rows } = await db.query<{ id: string }>('SELECT id FROM projects WHERE id = ANY($1::uuid[])', [acknowledged.map((a) => a.id)]);
    expect(rows).toHaveLength(acknowledged.length);
    for (let at = 0; at < acknowledged.length; at += 50) {
      const batch = acknowledged.slice(at, at + 50);
      const keys = await call(nginx.url, 'POST', '/api/v1/data/query', { database: 'redis', query_type: 'get', keys: batch.map((a) => `kill:${a.i}`) });
      expect(keys.status).toBe(200);
      expect(keys.body.data).toEqual(Object.fromEntries(batch.map((a) => [`kill:${a.i}`, String(a.i)])));
    }

    // Its lease is lost, not unknown: 410 from the others, and its transaction rolled back with it.
    const lost = await call(A().base, 'POST', `/api/v1/connections/${conn}/commit`);
    expect(lost.status).toBe(410);
    expect(lost.body.error.code).toBe('LEASE_LOST');
    expect((await db.query("SELECT 1 FROM projects WHERE title = 'never-committed'")).rows).toEqual([]);

    // After the kill, every request through the balancer is answered by A or C; nginx has taken B out.
    const after = await Promise.all(Array.from({ length: 6 }, () => call(nginx.url, 'GET', '/api/v1/storage/files?limit=1')));
    expect(after.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const answeredBy = new Set(after.map((r) => r.upstream!.split(', ').pop()));
    expect([...answeredBy].every((u) => u === `127.0.0.1:${A().port}` || u === `127.0.0.1:${C().port}`)).toBe(true);
    expect(after.some((r) => r.upstream!.includes(`:${victim.port}`))).toBe(false);
  });
});
