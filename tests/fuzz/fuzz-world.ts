import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import request from 'supertest';
import { LocalDiskObjectStore } from '../../src/adapters/object-store/local-disk-object-store';
import { listen, type RunningServer } from '../../src/infrastructure/http-server';
import { TOKENS } from '../../src/infrastructure/tokens';
import { currentRun } from '../support/run-resources';
import { scratchDatabase } from '../support/scratch-database';
import { filesUnder } from '../support/storage-world';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, anUnsignedToken, bearer } from '../support/tokens';
import { aProjectRow, aUserRow, insert, transaction } from '../support/transaction-requests';

/**
 * The whole service over a database, a Redis key prefix and an object store of its own (so that
 * "a refused request changes nothing" can be checked on whole tables, whole prefixes and the whole
 * store while other test files run), listening on a real socket (the requests are written raw, so
 * Node's parser and the server's own error answers are fuzzed too).
 */
export interface FuzzWorld {
  app: TestApp;
  server: RunningServer;
  tokens: Record<Caller, string>;
  ids: Fixtures;
  /** State a refused request must leave as it found it. */
  snapshot(): Promise<Snapshot>;
  /** Makes the seeded rows usable again (undeletes, re-creates what the previous operation removed). */
  reseed(): Promise<void>;
  close(): Promise<void>;
}

export type Caller = 'user' | 'admin' | 'other';

export interface Fixtures {
  userId: string;
  otherUserId: string;
  projectId: string;
  fileIds: string[];
  otherFileId: string;
  resumableSessionId: string;
  tusSessionId: string;
  transformId: string;
  purgeId: string;
  connectionId: string;
  backupId: string;
  /** Query strings of the signed and CDN URLs the upload answered with. */
  signedQueries: string[];
  cdnVersions: string[];
}

export interface Snapshot {
  tables: Record<string, string>;
  objects: string[];
  redisKeys: string[];
}

/**
 * audit_log records refused attempts on purpose (403s on admin routes, refused file access): it is
 * the one table a refusal writes to. service_instances is a heartbeat. Everything else is compared.
 */
const NOT_COMPARED = new Set(['audit_log', 'service_instances']);
/** Rate-limit counters count refused requests too, and the read cache may remember a miss (a 404): neither is state. */
const IGNORED_KEYS = /^(ratelimit:|cache:)/;

export async function fuzzWorld(): Promise<FuzzWorld> {
  const run = currentRun();
  const database = await scratchDatabase();
  const keyPrefix = `${run.keyPrefix}fuzz${randomBytes(4).toString('hex')}:`;
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-fuzz-'));
  const store = new LocalDiskObjectStore(root);
  await store.ensureReady();
  const app = await buildTestApp({
    background: false,
    env: {
      DATABASE_URL: database.url,
      REDIS_KEY_PREFIX: keyPrefix,
      // The fuzz is one very busy caller: rate limits would refuse most cases before any code ran.
      RATE_LIMIT_ANONYMOUS: '1000000',
      RATE_LIMIT_USER: '1000000',
      RATE_LIMIT_PREMIUM: '1000000',
      RATE_LIMIT_ADMIN: '1000000',
      RATE_LIMIT_BATCH: '1000000',
      // Leases the fuzz acquires hold connections: few, and short-lived.
      LEASE_MAX_PER_CALLER: '2',
      LEASE_MAX_TTL_SECONDS: '5',
      LEASE_DEFAULT_TTL_SECONDS: '5',
      DB_POOL_MAX: '10',
      MAX_CONCURRENT_UPLOADS: '1000',
      // A body shorter than its Content-Length must be answered, and quickly enough to fuzz.
      HTTP_BODY_IDLE_TIMEOUT_MS: '300',
      HTTP_HEADERS_TIMEOUT_MS: '5000',
      MAX_FILE_SIZE: '2MB',
    },
    overrides: { [TOKENS.ObjectStore]: store },
  });
  const server = await listen(app.app, 0, '127.0.0.1', {
    serviceName: app.config.serviceName,
    headersTimeoutMs: app.config.http.headersTimeoutMs,
    requestTimeoutMs: app.config.http.requestTimeoutMs,
  });
  const sql = new Client({ connectionString: database.url });
  await sql.connect();
  sql.on('error', () => undefined);
  const redis = new Redis(run.redisUrl, { maxRetriesPerRequest: 1 });

  const userId = randomUUID();
  const otherUserId = randomUUID();
  const tokens: Record<Caller, string> = {
    user: await aToken({ sub: userId }),
    other: await aToken({ sub: otherUserId }),
    admin: await aToken({ role: 'admin' }),
  };
  const api = () => request(app.app);
  // supertest's requests in setup: bounded, so a hung service fails the suite instead of stalling it.
  await transaction(app.app, tokens.user, [insert('users', aUserRow())]).expect(200);
  await transaction(app.app, tokens.other, [insert('users', aUserRow())]).expect(200);

  const ids: Fixtures = {
    userId,
    otherUserId,
    projectId: '',
    fileIds: [],
    otherFileId: '',
    resumableSessionId: '',
    tusSessionId: '',
    transformId: '',
    purgeId: randomUUID(),
    connectionId: randomUUID(),
    backupId: randomUUID(),
    signedQueries: [],
    cdnVersions: [],
  };

  const uploaded = async (token: string, label: string) => {
    const res = await api()
      .post('/api/v1/storage/upload')
      .set(bearer(token))
      .field('metadata', JSON.stringify({ description: label, tags: ['fuzz'] }))
      .attach('file', Buffer.from(`fuzz fixture ${label} ${randomBytes(8).toString('hex')}\n`), { filename: `${label}.txt`, contentType: 'text/plain' })
      .expect(201);
    return res.body as { file: { id: string }; urls?: Record<string, string | null> };
  };

  async function reseed(): Promise<void> {
    const live = ids.fileIds.length
      ? (await sql.query<{ id: string }>('SELECT id FROM files WHERE id = ANY($1) AND deleted_at IS NULL', [ids.fileIds])).rows.map((r) => r.id)
      : [];
    while (live.length < 2) {
      const stored = await uploaded(tokens.user, `file${live.length}`);
      live.push(stored.file.id);
      for (const url of Object.values(stored.urls ?? {})) {
        if (typeof url !== 'string') continue;
        const parsed = new URL(url, 'http://localhost');
        if (parsed.search) ids.signedQueries.push(parsed.search.slice(1));
        const cdn = /^\/cdn\/files\/[^/]+\/([^/?]+)/.exec(parsed.pathname);
        if (cdn) ids.cdnVersions.push(cdn[1]!);
      }
    }
    ids.fileIds = live;
    if (!ids.otherFileId || (await sql.query('SELECT 1 FROM files WHERE id = $1', [ids.otherFileId])).rowCount === 0) {
      ids.otherFileId = (await uploaded(tokens.other, 'other')).file.id;
    }
    if (!ids.projectId || (await sql.query('SELECT 1 FROM projects WHERE id = $1', [ids.projectId])).rowCount === 0) {
      const res = await transaction(app.app, tokens.user, [insert('projects', aProjectRow())]).expect(200);
      ids.projectId = res.body.results[0].data.id;
    }
    const init = await api()
      .post('/api/v1/storage/upload/resumable/init')
      .set(bearer(tokens.user))
      .send({ filename: 'fuzz.bin', file_size: 300_000, mime_type: 'application/octet-stream', chunk_size: 262_144 });
    if (init.status === 201 || init.status === 200) ids.resumableSessionId = init.body.session_id ?? init.body.upload_id ?? ids.resumableSessionId;
    const tus = await api().post('/api/v1/storage/tus').set(bearer(tokens.user)).set('Tus-Resumable', '1.0.0').set('Upload-Length', '100').set('Upload-Metadata', `filename ${Buffer.from('t.txt').toString('base64')}`);
    if (tus.status === 201) ids.tusSessionId = tus.headers.location!.split('/').pop()!;
    const transform = await api().post('/api/v1/storage/transform').set(bearer(tokens.user)).send({ source_file_id: ids.fileIds[0], transformation_type: 'text_extraction' });
    if (transform.status < 300) ids.transformId = transform.body.transformation_id ?? transform.body.id ?? ids.transformId;
    const purge = await api().post('/api/v1/storage/cdn/purge').set(bearer(tokens.user)).send({ file_ids: [ids.fileIds[0]] });
    if (purge.status < 300) ids.purgeId = purge.body.purge_id ?? purge.body.id ?? ids.purgeId;
  }
  try {
    await reseed();
  } catch (error) {
    await server.stop(1_000);
    await app.close();
    await sql.end();
    redis.disconnect();
    await database.drop();
    throw error;
  }
  const lease = await api().post('/api/v1/connections/acquire').set(bearer(tokens.user)).send({ service_name: 'fuzz', database_type: 'postgresql', operation_type: 'read', ttl_seconds: 5 });
  if (lease.status < 300) ids.connectionId = lease.body.connection_id ?? ids.connectionId;
  const backup = await api().post('/api/v1/db/backup').set(bearer(tokens.admin)).send({ label: 'fuzz' });
  if (backup.status < 300) ids.backupId = backup.body.id ?? backup.body.backup_id ?? ids.backupId;

  const tables = (
    await sql.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1")
  ).rows
    .map((r) => r.name)
    .filter((name) => !NOT_COMPARED.has(name));
  // Per table, its row count and the newest xmin among its rows: any committed insert, update or
  // delete moves one of them (a new row version carries its transaction's id), a rolled-back one
  // neither. Cheaper than an md5 of every row's text, which grew with every accepted case.
  const fingerprint = `SELECT ${tables.map((t) => `(SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM "${t}") AS "${t}"`).join(', ')}`;

  async function redisKeys(): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch.map((k) => k.slice(keyPrefix.length)).filter((k) => !IGNORED_KEYS.test(k)));
    } while (cursor !== '0');
    return keys.sort();
  }

  return {
    app,
    server,
    tokens,
    ids,
    reseed,
    snapshot: async () => {
      const [rows, objects, keys] = await Promise.all([sql.query<Record<string, string>>(fingerprint), filesUnder(root), redisKeys()]);
      return { tables: rows.rows[0]!, objects: objects.sort(), redisKeys: keys };
    },
    close: async () => {
      await server.stop(1_000);
      await app.close();
      const keys = await redisKeys();
      if (keys.length) await redis.del(...keys.map((k) => `${keyPrefix}${k}`));
      redis.disconnect();
      await sql.end();
      await database.drop();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

/** Tokens a caller may present besides the valid ones: forged, unsigned, expired, malformed. */
export async function badAuthorizations(): Promise<string[]> {
  return [
    `Bearer ${await aToken({ secret: 'another-secret-that-is-long-enough-for-hs256-012345' })}`,
    `Bearer ${anUnsignedToken()}`,
    `Bearer ${await aToken({ ttlSeconds: -60 })}`,
    `Bearer ${await aToken({ extra: { iat: Math.floor(Date.now() / 1000) + 86_400 } })}`,
    `Bearer ${await aToken({ extra: { sub: "'; DROP TABLE users; --" } })}`,
    `Bearer ${await aToken({ extra: { role: 'superuser' } })}`,
    'Bearer ',
    'Bearer a.b.c',
    'Basic Zm9vOmJhcg==',
    `Bearer ${'x'.repeat(8_000)}`,
    'bearer\t\tx',
  ];
}
