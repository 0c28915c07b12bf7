import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { LocalDiskObjectStore } from '../../src/adapters/object-store/local-disk-object-store';
import { TOKENS } from '../../src/infrastructure/tokens';
import { eventually } from '../support/eventually';
import { someText } from '../support/media-fixtures';
import { freePort } from '../support/free-port';
import { scratchDatabase } from '../support/scratch-database';
import { upload } from '../support/storage-world';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';
import { startVarnish, type RunningVarnish } from '../support/varnish';

/*
 * The whole path: a real varnishd (deploy/varnish/default.vcl) in front of the service's /cdn/ origin
 * routes, purges through the pg-boss queue to Varnish's BAN, and stats read from Varnish's own log
 * (varnishncsa). The service's port must be known before Varnish starts, and Varnish's before the
 * service is configured: both are picked first.
 */
describe('CDN through a real Varnish', () => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  let root: string;
  let app: TestApp;
  let server: http.Server;
  let varnish: RunningVarnish;
  const owner = randomUUID();
  let token: string;

  beforeAll(async () => {
    db = await scratchDatabase();
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-cdn-varnish-'));
    const store = new LocalDiskObjectStore(root);
    await store.ensureReady();
    const servicePort = await freePort();
    varnish = await startVarnish({ backendPort: servicePort });
    app = await buildTestApp({
      env: {
        DATABASE_URL: db.url,
        CDN_PROVIDERS: 'varnish',
        VARNISH_URL: varnish.url,
        VARNISH_NAME: varnish.workdir,
        CDN_BASE_URL: varnish.url,
        CDN_PURGE_CONCURRENCY: '2',
      },
      overrides: { [TOKENS.ObjectStore]: store },
    });
    server = http.createServer(app.app);
    await new Promise<void>((resolve) => server.listen(servicePort, '127.0.0.1', resolve));
    expect((server.address() as AddressInfo).port).toBe(servicePort);
    token = await aToken({ sub: owner });
  }, 60_000);
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await app?.close();
    await varnish?.stop();
    await db?.drop();
    await fs.rm(root, { recursive: true, force: true });
  });

  const uploaded = async (size: number) => {
    const res = await upload(app.app, token, someText(size), { name: 'clip.txt', type: 'text/plain', metadata: { is_public: true } });
    expect(res.status).toBe(201);
    expect(res.body.urls.cdn.startsWith(`${varnish.url}/cdn/files/`)).toBe(true);
    return res.body as { file: { id: string }; urls: { cdn: string } };
  };
  /** Fetches through Varnish: the status and whether Varnish answered from its cache. */
  const viaCdn = async (url: string) => {
    const res = await fetch(url);
    const body = Buffer.from(await res.arrayBuffer());
    return { status: res.status, cache: res.headers.get('x-cache'), size: body.length };
  };
  const purgeDone = (id: string) =>
    eventually(`purge ${id} to complete`, async () => {
      const res = await request(app.app).get(`/api/v1/storage/cdn/purge/${id}`).set(bearer(token));
      return res.body.purge_request?.status === 'completed' ? res : undefined;
    }, 20_000);

  it('caches a public file, and a purge makes the next request a miss', async () => {
    const { file, urls } = await uploaded(2000);
    expect(await viaCdn(urls.cdn)).toEqual({ status: 200, cache: 'MISS', size: 2000 });
    expect(await viaCdn(urls.cdn)).toEqual({ status: 200, cache: 'HIT', size: 2000 });

    const res = await request(app.app).post('/api/v1/storage/cdn/purge').set(bearer(token)).send({ file_ids: [file.id], purge_type: 'all' });
    expect(res.status).toBe(202);
    expect(res.body.purge_request.status).toBe('queued');
    expect(res.body.cdn_providers).toEqual([{ provider: 'varnish', status: 'queued', urls_purged: 0, error: null }]);
    const done = await purgeDone(res.body.purge_request.id);
    // The file, its thumbnail, and its renditions' path (every query string under it).
    expect(done.body.cdn_providers).toEqual([{ provider: 'varnish', status: 'completed', urls_purged: 3, error: null }]);
    expect(done.body.purge_request.completed_at).toEqual(expect.any(String));

    expect(await viaCdn(urls.cdn)).toEqual({ status: 200, cache: 'MISS', size: 2000 });
    expect(await viaCdn(urls.cdn)).toEqual({ status: 200, cache: 'HIT', size: 2000 });
  });

  it('purges a file made private, and a deleted one, without being asked', async () => {
    const { file, urls } = await uploaded(500);
    await viaCdn(urls.cdn);
    expect((await viaCdn(urls.cdn)).cache).toBe('HIT');
    const update = await request(app.app).put(`/api/v1/storage/files/${file.id}`).set(bearer(token)).send({ is_public: false });
    expect(update.status).toBe(200);
    // The public copy leaves the cache; the bare URL of a private file is refused (and not cached).
    await eventually('the private file to leave the cache', async () => ((await viaCdn(urls.cdn)).status === 403 ? true : undefined), 20_000);
    const signed = update.body.urls?.cdn ?? (await request(app.app).get(`/api/v1/storage/files/${file.id}`).set(bearer(token))).body.urls.cdn;
    expect(signed).toContain('signature=');
    expect(await viaCdn(signed)).toEqual({ status: 200, cache: 'MISS', size: 500 });
    expect((await viaCdn(signed)).cache).toBe('MISS'); // `private`: Varnish never keeps it

    const other = await uploaded(300);
    await viaCdn(other.urls.cdn);
    expect((await viaCdn(other.urls.cdn)).cache).toBe('HIT');
    expect((await request(app.app).delete(`/api/v1/storage/files/${other.file.id}?permanent=true`).set(bearer(token))).status).toBe(200);
    await eventually('the deleted file to leave the cache', async () => ((await viaCdn(other.urls.cdn)).status === 404 ? true : undefined), 20_000);
  });

  it('reports hits and misses from Varnish\'s log in /cdn/stats', async () => {
    const { file, urls } = await uploaded(1000);
    expect((await viaCdn(urls.cdn)).cache).toBe('MISS');
    expect((await viaCdn(urls.cdn)).cache).toBe('HIT');
    expect((await viaCdn(urls.cdn)).cache).toBe('HIT');
    const stats = await eventually('the log to be counted', async () => {
      const res = await request(app.app).get(`/api/v1/storage/cdn/stats?period=1h&file_id=${file.id}`).set(bearer(token));
      return res.body.stats?.total_requests === 3 ? res : undefined;
    }, 20_000);
    const { intervals, ...totals } = stats.body.stats;
    expect({ ...stats.body, stats: totals }).toEqual({
      period: '1h',
      interval: '1h',
      counted_by: 'cdn_log',
      stats: {
        total_requests: 3, cache_hits: 2, cache_misses: 1, hit_ratio: 66.7,
        bandwidth_gb: 3000 / 1e9, bandwidth_bytes: 3000,
        top_files: [{ file_id: file.id, requests: 3, bandwidth_gb: 3000 / 1e9, bandwidth_bytes: 3000 }],
      },
    });
    // The hourly series (one or two hours, as the period straddles the hour) adds up to the totals.
    const sum = (field: string) => intervals.reduce((n: number, i: Record<string, number>) => n + i[field]!, 0);
    expect([sum('requests'), sum('cache_hits'), sum('cache_misses'), sum('bandwidth_bytes')]).toEqual([3, 2, 1, 3000]);
  });
});
