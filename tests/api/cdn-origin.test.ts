import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { LocalDiskObjectStore } from '../../src/adapters/object-store/local-disk-object-store';
import { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import type { SqlDatabase } from '../../src/application/ports/sql-database.port';
import { TOKENS } from '../../src/infrastructure/tokens';
import { expectStandardError } from '../support/error-body';
import { eventually } from '../support/eventually';
import { aPng, someText } from '../support/media-fixtures';
import { scratchDatabase } from '../support/scratch-database';
import { sha256, upload } from '../support/storage-world';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

/** The origin side of urls.cdn / urls.thumbnail: what a CDN (or a browser) gets, and its cache headers. */
describe('CDN origin routes and URLs (no CDN configured: the origin counts its own traffic)', () => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  let root: string;
  let app: TestApp;
  const owner = randomUUID();
  let token: string;

  beforeAll(async () => {
    db = await scratchDatabase();
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-cdn-'));
    const store = new LocalDiskObjectStore(root);
    await store.ensureReady();
    app = await buildTestApp({
      env: { DATABASE_URL: db.url, TRANSFORM_CONCURRENCY: '1', CDN_BASE_URL: 'https://cdn.example.test' },
      overrides: { [TOKENS.ObjectStore]: store },
    });
    token = await aToken({ sub: owner });
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
    await fs.rm(root, { recursive: true, force: true });
  });

  const uploaded = async (content: Buffer, isPublic: boolean, name = 'notes.txt', type = 'text/plain') => {
    const res = await upload(app.app, token, content, { name, type, metadata: { is_public: isPublic } });
    expect(res.status).toBe(201);
    return res.body as { file: { id: string }; urls: { cdn: string; thumbnail: string | null } };
  };
  const sql = async <R = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<R[]> =>
    (app.container.get<SqlDatabase>(TOKENS.SqlDatabase) as PgSqlDatabase).withClient(async (c) => (await c.query(text, values)).rows as R[]);
  /** The path and query of a CDN URL: what the CDN asks the origin for. */
  const originPath = (url: string) => url.replace('https://cdn.example.test', '');

  it('serves a public file at its content-addressed URL, immutable, with validators and Range', async () => {
    const content = someText(5000);
    const { file, urls } = await uploaded(content, true);
    expect(urls.cdn).toBe(`https://cdn.example.test/cdn/files/${file.id}/${sha256(content).slice(0, 16)}`);

    const res = await request(app.app).get(originPath(urls.cdn)).buffer(true).parse((r, cb) => {
      const parts: Buffer[] = [];
      r.on('data', (c: Buffer) => parts.push(c));
      r.on('end', () => cb(null, Buffer.concat(parts)));
    });
    expect(res.status).toBe(200);
    expect(Buffer.compare(res.body as Buffer, content)).toBe(0);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers.etag).toBe(`"${sha256(content)}"`);

    const again = await request(app.app).get(originPath(urls.cdn)).set('If-None-Match', res.headers.etag!);
    expect(again.status).toBe(304);
    expect(again.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const range = await request(app.app).get(originPath(urls.cdn)).set('Range', 'bytes=10-19');
    expect(range.status).toBe(206);
    expect(range.headers['content-range']).toBe('bytes 10-19/5000');
  });

  it('answers 404, never cached, for another version of the file or a trashed file', async () => {
    const { file, urls } = await uploaded(someText(100), true);
    const other = await request(app.app).get(`/cdn/files/${file.id}/0000000000000000`);
    expectStandardError(other, 404, 'FILE_NOT_FOUND');
    expect(other.headers['cache-control']).toBe('no-store');

    expect((await request(app.app).delete(`/api/v1/storage/files/${file.id}`).set(bearer(token))).status).toBe(200);
    const gone = await request(app.app).get(originPath(urls.cdn));
    expectStandardError(gone, 404, 'FILE_NOT_FOUND');
    expect(gone.headers['cache-control']).toBe('no-store');
  });

  it('signs a private file\'s URL, answers it privately, and refuses it unsigned, tampered or for another path', async () => {
    const content = someText(300);
    const { file, urls } = await uploaded(content, false);
    const url = new URL(urls.cdn);
    expect(url.searchParams.get('expires')).toMatch(/^\d+$/);
    const ok = await request(app.app).get(originPath(urls.cdn));
    expect(ok.status).toBe(200);
    const maxAge = Number(/^private, max-age=(\d+)$/.exec(ok.headers['cache-control']!)?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(2 * 3600);

    expectStandardError(await request(app.app).get(url.pathname), 403, 'INVALID_SIGNATURE');
    const tampered = `${url.pathname}?expires=${url.searchParams.get('expires')}&signature=${'A'.repeat(43)}`;
    expectStandardError(await request(app.app).get(tampered), 403, 'INVALID_SIGNATURE');
    const later = `${url.pathname}?expires=${Number(url.searchParams.get('expires')) + 3600}&signature=${url.searchParams.get('signature')}`;
    expectStandardError(await request(app.app).get(later), 403, 'INVALID_SIGNATURE');
    // The same signature does not open another file's path.
    const { urls: second } = await uploaded(someText(300), false);
    const borrowed = `${new URL(second.cdn).pathname}?${url.searchParams.toString()}`;
    expectStandardError(await request(app.app).get(borrowed), 403, 'INVALID_SIGNATURE');
    expect(file.id).toBeDefined();
  });

  it('gives an image a rendition as urls.thumbnail at once, and serves the newest generated thumbnail through the alias', async () => {
    const { file, urls } = await uploaded(aPng(64, 48), true, 'photo.png', 'image/png');
    const rendition = `https://cdn.example.test/cdn/render/${file.id}?preset=thumbnail`;
    expect(urls.thumbnail).toBe(rendition);
    expect((await request(app.app).get(originPath(rendition))).headers['content-type']).toBe('image/png');
    expectStandardError(await request(app.app).get(`/cdn/thumbnails/${file.id}`), 404, 'FILE_NOT_FOUND');

    const job = await request(app.app).post('/api/v1/storage/transform').set(bearer(token)).send({ source_file_id: file.id, transformation_type: 'thumbnail_generation', parameters: { width: 32, height: 32 } });
    expect(job.status).toBe(202);
    await eventually('the thumbnail', async () => {
      const res = await request(app.app).get(`/api/v1/storage/transform/${job.body.transformation.id}`).set(bearer(token));
      return res.body.transformation.status === 'completed' ? res : undefined;
    }, 25_000);

    const details = await request(app.app).get(`/api/v1/storage/files/${file.id}`).set(bearer(token));
    expect(details.body.urls.thumbnail).toBe(rendition);
    const listed = await request(app.app).get('/api/v1/storage/files?limit=100').set(bearer(token));
    const inList = (listed.body.files as Array<{ id: string; urls: { thumbnail: string | null } }>).find((f) => f.id === file.id);
    expect(inList?.urls.thumbnail).toBe(rendition);
    const thumb = await request(app.app).get(`/cdn/thumbnails/${file.id}`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers['content-type']).toMatch(/^image\//);
    expect(thumb.headers['cache-control']).toBe('public, max-age=60, s-maxage=86400');
  });

  it('counts what the origin served and reports it in /cdn/stats (misses only, no invented regions)', async () => {
    const user = randomUUID();
    const mine = await aToken({ sub: user });
    const content = someText(1000);
    const res = await upload(app.app, mine, content, { name: 'a.txt', type: 'text/plain', metadata: { is_public: true } });
    const { file, urls } = res.body as { file: { id: string }; urls: { cdn: string } };
    for (let i = 0; i < 3; i++) expect((await request(app.app).get(originPath(urls.cdn))).status).toBe(200);
    expect((await request(app.app).get(originPath(urls.cdn)).set('Range', 'bytes=0-99')).status).toBe(206);

    // Counted once each response is out, which the client may see a moment before the server does.
    const stats = await eventually('the four requests counted', async () => {
      const res = await request(app.app).get('/api/v1/storage/cdn/stats?period=24h').set(bearer(mine));
      if (res.body.stats?.total_requests !== 4) throw new Error(JSON.stringify(res.body));
      return res;
    });
    expect(stats.status).toBe(200);
    const { intervals, ...totals } = stats.body.stats;
    expect({ ...stats.body, stats: totals }).toEqual({
      period: '24h',
      interval: '1h',
      counted_by: 'origin',
      stats: {
        total_requests: 4, cache_hits: 0, cache_misses: 4, hit_ratio: 0,
        bandwidth_gb: 3100 / 1e9, bandwidth_bytes: 3100,
        top_files: [{ file_id: file.id, requests: 4, bandwidth_gb: 3100 / 1e9, bandwidth_bytes: 3100 }],
      },
    });
    // The period as hourly intervals, quiet ones included: the hour 24 h ago through this one.
    const hour = (ms: number) => Math.floor(ms / 3_600_000) * 3_600_000;
    const starts = (intervals as Array<{ start: string }>).map((i) => Date.parse(i.start));
    expect(starts).toHaveLength(25);
    expect(starts.every((s, i) => i === 0 || s - starts[i - 1]! === 3_600_000)).toBe(true);
    expect(starts.at(-1)).toBeLessThanOrEqual(hour(Date.now()));
    const busy = (intervals as Array<{ requests: number }>).filter((i) => i.requests > 0);
    expect(busy).toEqual([{ start: expect.any(String), requests: 4, cache_hits: 0, cache_misses: 4, hit_ratio: 0, bandwidth_bytes: 3100 }]);
    // An interval asked for: one a day over a week (7 or 8 intervals, the first holding the period's start).
    const daily = await request(app.app).get('/api/v1/storage/cdn/stats?period=7d&interval=1d').set(bearer(mine));
    expect(daily.body.interval).toBe('1d');
    expect(daily.body.stats.intervals.length).toBeGreaterThanOrEqual(7);
    expect(daily.body.stats.intervals.length).toBeLessThanOrEqual(8);
    expect(daily.body.stats.intervals.every((i: { start: string }) => i.start.endsWith('T00:00:00.000Z'))).toBe(true);
    expect(daily.body.stats.intervals.reduce((n: number, i: { requests: number }) => n + i.requests, 0)).toBe(4);
    expect((await request(app.app).get('/api/v1/storage/cdn/stats?period=7d').set(bearer(mine))).body.interval).toBe('6h');
    expectStandardError(await request(app.app).get('/api/v1/storage/cdn/stats?period=7d&interval=5m').set(bearer(mine)), 400, 'VALIDATION_ERROR');
    expectStandardError(await request(app.app).get('/api/v1/storage/cdn/stats?period=90d&interval=1h').set(bearer(mine)), 400, 'VALIDATION_ERROR');
    const one = await request(app.app).get(`/api/v1/storage/cdn/stats?period=1h&file_id=${file.id}`).set(bearer(mine));
    expect(one.body.stats.total_requests).toBe(4);
    // Someone else sees none of it, and may not ask for this file.
    const stranger = await aToken();
    expect((await request(app.app).get('/api/v1/storage/cdn/stats').set(bearer(stranger))).body.stats.total_requests).toBe(0);
    expectStandardError(await request(app.app).get(`/api/v1/storage/cdn/stats?file_id=${file.id}`).set(bearer(stranger)), 404, 'FILE_NOT_FOUND');
    // An admin sees every file's traffic.
    const admin = await request(app.app).get('/api/v1/storage/cdn/stats?period=1d').set(bearer(await aToken({ role: 'admin' })));
    expect(admin.body.stats.total_requests).toBeGreaterThanOrEqual(4);
    expectStandardError(await request(app.app).get('/api/v1/storage/cdn/stats?period=7w').set(bearer(mine)), 400, 'VALIDATION_ERROR');
    expectStandardError(await request(app.app).get('/api/v1/storage/cdn/stats?period=91d').set(bearer(mine)), 400, 'VALIDATION_ERROR');
    expectStandardError(await request(app.app).get('/api/v1/storage/cdn/stats'), 401, 'UNAUTHORIZED');

    // /health reports the CDN with the last day's hit ratio (0 % here: the origin only sees misses).
    const health = await request(app.app).get('/health');
    expect(health.body.checks.cdn).toMatchObject({ status: 'UP', providers: ['none'], counted_by: 'origin', hit_ratio: '0%' });
    expect(health.body.checks.cdn.requests_24h).toBeGreaterThanOrEqual(4);

    // cdn_cache tracks the URL the CDN fetched.
    const rows = await sql<{ cache_key: string; cdn_url: string; expires_at: Date | null }>(
      'SELECT cache_key, cdn_url, expires_at FROM cdn_cache WHERE file_id = $1', [file.id]);
    expect(rows).toEqual([{ cache_key: new URL(urls.cdn).pathname, cdn_url: urls.cdn, expires_at: expect.any(Date) }]);
  });

  it('completes a purge at once when no CDN is configured, and checks every file first', async () => {
    const { file } = await uploaded(someText(50), true);
    const res = await request(app.app).post('/api/v1/storage/cdn/purge').set(bearer(token)).send({ file_ids: [file.id], purge_type: 'all' });
    expect(res.status).toBe(202);
    expect(res.body.purge_request).toMatchObject({ status: 'completed', files_count: 1, purge_type: 'all', reason: 'request' });
    expect(res.body.purge_request.urls).toEqual(expect.arrayContaining([expect.stringContaining(`/cdn/files/${file.id}/`), `https://cdn.example.test/cdn/thumbnails/${file.id}`]));
    expect(res.body.cdn_providers).toEqual([{ provider: 'none', status: 'completed', urls_purged: 0, error: null }]);
    const polled = await request(app.app).get(`/api/v1/storage/cdn/purge/${res.body.purge_request.id}`).set(bearer(token));
    expect(polled.body).toEqual(res.body);
    expectStandardError(await request(app.app).get(`/api/v1/storage/cdn/purge/${res.body.purge_request.id}`).set(bearer(await aToken())), 404, 'NOT_FOUND');

    const before = await sql<{ n: string }>('SELECT count(*)::text AS n FROM cdn_purge_requests');
    const notMine = await request(app.app).post('/api/v1/storage/cdn/purge').set(bearer(await aToken())).send({ file_ids: [file.id] });
    expectStandardError(notMine, 404, 'FILE_NOT_FOUND');
    expectStandardError(await request(app.app).post('/api/v1/storage/cdn/purge').set(bearer(token)).send({ file_ids: [] }), 400, 'VALIDATION_ERROR');
    expectStandardError(await request(app.app).post('/api/v1/storage/cdn/purge').set(bearer(token)).send({ file_ids: [file.id], purge_type: 'everything' }), 400, 'VALIDATION_ERROR');
    expect(await sql('SELECT count(*)::text AS n FROM cdn_purge_requests')).toEqual(before);
  });
});
