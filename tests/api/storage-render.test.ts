import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import request from 'supertest';
import type { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import type { SqlDatabase } from '../../src/application/ports/sql-database.port';
import type { CdnUrls } from '../../src/application/storage/cdn/cdn-urls';
import type { StoredFile } from '../../src/domain/storage/stored-file';
import { TOKENS } from '../../src/infrastructure/tokens';
import { expectStandardError } from '../support/error-body';
import { eventually } from '../support/eventually';
import { aPdf, someText } from '../support/media-fixtures';
import { filesUnder, sha256, storageApp, upload } from '../support/storage-world';
import { aToken, bearer } from '../support/tokens';

const CHROME = 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';
const SAFARI_15 = 'image/webp,image/png,image/svg+xml,image/*;q=0.8,video/*;q=0.8,*/*;q=0.5';
const CURL = '*/*';
const hasFfmpeg = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;

const binary = (req: request.Test) =>
  req.buffer(true).parse((r, cb) => {
    const parts: Buffer[] = [];
    r.on('data', (c: Buffer) => parts.push(c));
    r.on('end', () => {
      const body = Buffer.concat(parts);
      cb(null, /json/.test(String(r.headers['content-type'])) ? JSON.parse(body.toString('utf8')) : body);
    });
  });

/** A photo-like JPEG (gradient plus noise, so no two are alike). */
async function aJpeg(width: number, height: number): Promise<Buffer> {
  const noise = await sharp({ create: { width, height, channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 40 } } } as sharp.SharpOptions).png().toBuffer();
  return sharp(noise).jpeg({ quality: 85 }).toBuffer();
}

/** A PNG whose header claims width × height but holds almost nothing: a decompression bomb. */
function aPngBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const idat = zlib.deflateSync(Buffer.alloc(width * 3 + 1), { level: 9 });
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

describe('GET /api/v1/storage/render/{id} and /cdn/render/{id} (real PostgreSQL, disk store, sharp)', () => {
  let t: Awaited<ReturnType<typeof storageApp>>;
  const owner = randomUUID();
  let token: string;
  let otherToken: string;

  beforeAll(async () => {
    t = await storageApp({ RENDER_MAX_DIMENSION: '2000', RENDER_MAX_PIXELS: '40000000', RENDER_NEW_PER_MINUTE: '1000' });
    token = await aToken({ sub: owner });
    otherToken = await aToken({ sub: randomUUID() });
  });
  afterAll(() => t.cleanup());

  const sql = async <R = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<R[]> =>
    (t.container.get<SqlDatabase>(TOKENS.SqlDatabase) as PgSqlDatabase).withClient(async (c) => (await c.query(text, values)).rows as R[]);
  const renditionsOf = (fileId: string) => sql<{ rendition_key: string; object_key: string; size_bytes: string }>('SELECT rendition_key, object_key, size_bytes FROM file_renditions WHERE file_id = $1', [fileId]);
  const uploaded = async (content: Buffer, options: { name?: string; type?: string; isPublic?: boolean } = {}) => {
    const res = await upload(t.app, token, content, { name: options.name ?? 'photo.jpg', type: options.type ?? 'image/jpeg', metadata: { is_public: options.isPublic ?? false } });
    expect(res.status).toBe(201);
    return res.body.file as { id: string };
  };
  const render = (id: string, query: string, who: string | null = token) => {
    const req = binary(request(t.app).get(`/api/v1/storage/render/${id}${query ? `?${query}` : ''}`));
    return who ? req.set(bearer(who)) : req;
  };

  it('produces a rendition again when another process evicted it (row and object gone) after this one served it', async () => {
    const file = await uploaded(await aJpeg(640, 480));
    const first = await render(file.id, 'width=100&format=png');
    expect(first.headers['x-render-cache']).toBe('MISS');
    expect((await render(file.id, 'width=100&format=png')).headers['x-render-cache']).toBe('HIT');
    // What another process's eviction does: the object, then the row.
    const [row] = await renditionsOf(file.id);
    await fs.rm(path.join(t.root, row!.object_key), { force: true });
    await sql('DELETE FROM file_renditions WHERE file_id = $1', [file.id]);
    const again = await render(file.id, 'width=100&format=png');
    expect(again.status).toBe(200);
    expect(again.headers['x-render-cache']).toBe('MISS');
    expect(Buffer.compare(again.body as Buffer, first.body as Buffer)).toBe(0);
    expect(await renditionsOf(file.id)).toHaveLength(1);
  });

  it('resizes and converts, then serves the cached rendition with a strong ETag, and 304 on If-None-Match', async () => {
    const file = await uploaded(await aJpeg(1920, 1080));
    const first = await render(file.id, 'width=400&format=webp');
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('image/webp');
    expect(first.headers['x-render-cache']).toBe('MISS');
    expect(first.headers.etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(first.headers['cache-control']).toBe('private, max-age=3600');
    expect(first.headers.vary).toBeUndefined();
    const meta = await sharp(first.body as Buffer).metadata();
    expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({ format: 'webp', width: 400, height: 225 });

    const second = await render(file.id, 'format=webp&width=400');
    expect(second.status).toBe(200);
    expect(second.headers['x-render-cache']).toBe('HIT');
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(Buffer.compare(second.body as Buffer, first.body as Buffer)).toBe(0);
    expect(await renditionsOf(file.id)).toHaveLength(1);

    const revalidated = await render(file.id, 'width=400&format=webp').set('If-None-Match', first.headers.etag!);
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.etag).toBe(first.headers.etag);

    // dpr folds into the size: width=200&dpr=2 is the same rendition as width=400.
    const dpr = await render(file.id, 'width=200&dpr=2&format=webp');
    expect(dpr.headers.etag).toBe(first.headers.etag);

    const cropped = await render(file.id, 'width=300&height=300&fit=cover&position=attention&quality=50&blur=2');
    expect(cropped.status).toBe(200);
    expect(cropped.headers['content-type']).toBe('image/jpeg');
    expect(await sharp(cropped.body as Buffer).metadata()).toMatchObject({ width: 300, height: 300 });
    const entropy = await render(file.id, 'width=100&height=50&position=entropy');
    expect(entropy.status).toBe(200);
    const avif = await render(file.id, 'width=120&format=avif');
    expect(avif.headers['content-type']).toBe('image/avif');
    expect((await sharp(avif.body as Buffer).metadata()).width).toBe(120);
  });

  it('refuses every parameter out of range or of the wrong type with 400 naming it', async () => {
    const file = await uploaded(await aJpeg(64, 64));
    const cases: Array<[string, string]> = [
      ['width=0', 'query.width'], ['width=abc', 'query.width'], ['width=1.5', 'query.width'], ['width=-3', 'query.width'], ['width=99999', 'query.width'],
      ['width=2001', 'query.width'], ['width=1500&dpr=2', 'query.width'], ['height=0', 'query.height'], ['height=1e3', 'query.height'],
      ['fit=stretch', 'query.fit'], ['position=middle', 'query.position'], ['format=gif', 'query.format'], ['format=', 'query.format'],
      ['quality=0', 'query.quality'], ['quality=101', 'query.quality'], ['quality=high', 'query.quality'],
      ['blur=0.1', 'query.blur'], ['blur=101', 'query.blur'], ['blur=x', 'query.blur'], ['dpr=0.5', 'query.dpr'], ['dpr=5', 'query.dpr'],
      ['frame=-1', 'query.frame'], ['frame=2', 'query.frame'], ['preset=nope', 'query.preset'], ['widht=10', 'query'],
      ['width=10&width=20', 'query.width'], ['position=attention', 'query.position'], ['width=10&height=10&fit=inside&position=entropy', 'query.position'],
    ];
    for (const [query, where] of cases) {
      const res = await render(file.id, query);
      const error = expectStandardError(res, 400, 'VALIDATION_ERROR');
      const paths = (error.details.issues as Array<{ path: string }>).map((i) => i.path);
      expect({ query, named: paths.some((p) => p === where || p.startsWith(`${where}.`) || (where === 'query' && p.startsWith('query'))) }).toEqual({ query, named: true });
    }
    expect(await renditionsOf(file.id)).toHaveLength(0);
  });

  it('format=auto answers AVIF to Chrome, WebP to Safari 15, the source format to curl, with Vary: Accept', async () => {
    const file = await uploaded(await aJpeg(200, 100));
    const as = async (accept: string) => {
      const res = await render(file.id, 'width=100&format=auto').set('Accept', accept);
      expect(res.status).toBe(200);
      expect(res.headers.vary).toBe('Accept');
      return res;
    };
    const chrome = await as(CHROME);
    const safari = await as(SAFARI_15);
    const curl = await as(CURL);
    expect([chrome.headers['content-type'], safari.headers['content-type'], curl.headers['content-type']]).toEqual(['image/avif', 'image/webp', 'image/jpeg']);
    expect(new Set([chrome.headers.etag, safari.headers.etag, curl.headers.etag]).size).toBe(3);
    // A 304 carries Vary too, so a shared cache keeps the three apart.
    const again = await render(file.id, 'width=100&format=auto').set('Accept', SAFARI_15).set('If-None-Match', safari.headers.etag!);
    expect(again.status).toBe(304);
    expect(again.headers.vary).toBe('Accept');
  });

  it('refuses a 50,000 × 50,000 PNG bomb and a truncated JPEG with 422, caching nothing', async () => {
    const bomb = await uploaded(aPngBomb(50_000, 50_000), { name: 'bomb.png', type: 'image/png' });
    const refused = expectStandardError(await render(bomb.id, 'width=100'), 422, 'TRANSFORMATION_FAILED');
    expect(refused.details).toMatchObject({ reason: 'too_many_pixels', max_pixels: 40_000_000 });
    const whole = await aJpeg(800, 600);
    const truncated = await uploaded(whole.subarray(0, Math.floor(whole.length / 2)), { name: 'cut.jpg' });
    const cut = await render(truncated.id, 'width=100');
    expectStandardError(cut, 422, 'TRANSFORMATION_FAILED');
    expect(cut.headers['cache-control']).toBe('no-store');
    expect(await renditionsOf(bomb.id)).toHaveLength(0);
    expect(await renditionsOf(truncated.id)).toHaveLength(0);
    expect((await filesUnder(path.join(t.root, 'renditions', truncated.id))).length).toBe(0);
    // Asked again: still refused, never an empty cached answer.
    expectStandardError(await render(truncated.id, 'width=100'), 422, 'TRANSFORMATION_FAILED');
  });

  it('answers urls.thumbnail / urls.preview as signed renditions and a BlurHash placeholder with the dominant colour', async () => {
    const res = await upload(t.app, token, await aJpeg(320, 240), { name: 'p.jpg', type: 'image/jpeg' });
    const { file, urls } = res.body as { file: { id: string }; urls: { thumbnail: string; preview: string } };
    const thumb = new URL(urls.thumbnail);
    expect(thumb.pathname).toBe(`/cdn/render/${file.id}`);
    expect(thumb.searchParams.get('preset')).toBe('thumbnail');
    const served = await binary(request(t.app).get(`${thumb.pathname}${thumb.search}`));
    expect(served.status).toBe(200);
    expect(await sharp(served.body as Buffer).metadata()).toMatchObject({ width: 200, height: 200 });
    const preview = new URL(urls.preview);
    const big = await binary(request(t.app).get(`${preview.pathname}${preview.search}`));
    expect(await sharp(big.body as Buffer).metadata()).toMatchObject({ width: 320, height: 240 });

    const details = await request(t.app).get(`/api/v1/storage/files/${file.id}`).set(bearer(token));
    expect(details.body.metadata.placeholder).toEqual({ blurhash: expect.stringMatching(/^[0-9A-Za-z#$%*+,\-.:;=?@[\]^_{|}~]{20,}$/), dominant_color: expect.stringMatching(/^#[0-9a-f]{6}$/) });
    const listed = await request(t.app).get('/api/v1/storage/files?limit=100').set(bearer(token));
    const inList = (listed.body.files as Array<{ id: string; metadata: Record<string, unknown> }>).find((f) => f.id === file.id);
    expect(inList?.metadata.placeholder).toEqual(details.body.metadata.placeholder);
  });

  it('refuses a source that is not an image, video or PDF with 422', async () => {
    const text = await uploaded(someText(300), { name: 'notes.txt', type: 'text/plain' });
    expectStandardError(await render(text.id, 'width=100'), 422, 'UNSUPPORTED_TRANSFORMATION');
  });

  it('keeps private files to their owner (404 for another user, 401 anonymous) and the CDN twin to signed URLs of that file', async () => {
    const file = await uploaded(await aJpeg(300, 200));
    const second = await uploaded(await aJpeg(300, 200));
    expectStandardError(await render(file.id, 'width=50', otherToken), 404, 'FILE_NOT_FOUND');
    expectStandardError(await render(file.id, 'width=50', null), 401, 'UNAUTHORIZED');
    expect((await render(file.id, 'width=50')).status).toBe(200);

    const unsigned = await binary(request(t.app).get(`/cdn/render/${file.id}?width=50`));
    expectStandardError(unsigned, 403, 'INVALID_SIGNATURE');
    expect(unsigned.headers['cache-control']).toBe('no-store');

    const urls = t.container.get<CdnUrls>(TOKENS.CdnUrls);
    const row = (id: string) => ({ id, isPublic: false, checksumSha256: '0'.repeat(64) }) as StoredFile;
    const signed = new URL(urls.renditionUrl(row(file.id), 'width=50'));
    const ok = await binary(request(t.app).get(`${signed.pathname}${signed.search}`));
    expect(ok.status).toBe(200);
    expect(ok.headers['cache-control']).toMatch(/^private, max-age=\d+$/);
    expect(ok.headers['content-type']).toBe('image/jpeg');

    const othersSignature = new URL(urls.renditionUrl(row(second.id), 'width=50'));
    const borrowed = await binary(request(t.app).get(`/cdn/render/${file.id}${othersSignature.search}`));
    expectStandardError(borrowed, 403, 'INVALID_SIGNATURE');
    const tampered = `/cdn/render/${file.id}?width=50&expires=${signed.searchParams.get('expires')}&signature=${'A'.repeat(43)}`;
    expectStandardError(await binary(request(t.app).get(tampered)), 403, 'INVALID_SIGNATURE');
  });

  it('serves a public file through the CDN twin without a signature, cacheable by shared caches', async () => {
    const file = await uploaded(await aJpeg(300, 200), { isPublic: true });
    const res = await binary(request(t.app).get(`/cdn/render/${file.id}?width=60&format=png`));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['cache-control']).toMatch(/^public, max-age=3600, s-maxage=\d+$/);
    const anonymous = await render(file.id, 'width=60&format=png', null);
    expect(anonymous.headers.etag).toBe(res.headers.etag);
    expect(anonymous.headers['x-render-cache']).toBe('HIT');
  });

  it('renders new content as a new rendition and never serves the old one for it', async () => {
    const file = await uploaded(await aJpeg(200, 200));
    const before = await render(file.id, 'width=50');
    // The file's content changes under the same id (as a restore of another version would do).
    const replacement = await aJpeg(120, 80);
    const [stored] = await sql<{ file_path: string }>('SELECT file_path FROM files WHERE id = $1', [file.id]);
    await fs.writeFile(path.join(t.root, stored!.file_path), replacement);
    await sql('UPDATE files SET checksum_sha256 = $2, size_bytes = $3 WHERE id = $1', [file.id, sha256(replacement), replacement.length]);
    const after = await render(file.id, 'width=50');
    expect(after.status).toBe(200);
    expect(after.headers['x-render-cache']).toBe('MISS');
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(await sharp(after.body as Buffer).metadata()).toMatchObject({ width: 50, height: 33 });
    // The client's old ETag no longer matches.
    expect((await render(file.id, 'width=50').set('If-None-Match', before.headers.etag!)).status).toBe(200);
  });

  it('removes the renditions of a trashed file and includes /cdn/render in its purge targets', async () => {
    const file = await uploaded(await aJpeg(200, 200), { isPublic: true });
    await render(file.id, 'width=50');
    await render(file.id, 'width=60');
    const rows = await renditionsOf(file.id);
    expect(rows).toHaveLength(2);
    const purge = await request(t.app).post('/api/v1/storage/cdn/purge').set(bearer(token)).send({ file_ids: [file.id], purge_type: 'previews' });
    expect(purge.status).toBeLessThan(300);
    expect((purge.body.purge_request.urls as string[]).some((u) => u.endsWith(`/cdn/render/${file.id}`))).toBe(true);

    expect((await request(t.app).delete(`/api/v1/storage/files/${file.id}`).set(bearer(token))).status).toBe(200);
    expect(await renditionsOf(file.id)).toHaveLength(0);
    expect(await filesUnder(path.join(t.root, 'renditions', file.id))).toEqual([]);
    expectStandardError(await render(file.id, 'width=50'), 404, 'FILE_NOT_FOUND');
    expectStandardError(await binary(request(t.app).get(`/cdn/render/${file.id}?width=50`)), 404, 'FILE_NOT_FOUND');
  });

  it('produces 20 concurrent identical first requests once, with 20 identical answers', async () => {
    const file = await uploaded(await aJpeg(1600, 900));
    const answers = await Promise.all(Array.from({ length: 20 }, () => render(file.id, 'width=333&format=webp')));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(answers.filter((a) => a.headers['x-render-cache'] === 'MISS')).toHaveLength(1);
    expect(new Set(answers.map((a) => (a.body as Buffer).toString('base64'))).size).toBe(1);
    expect(await renditionsOf(file.id)).toHaveLength(1);
    expect(await filesUnder(path.join(t.root, 'renditions', file.id))).toHaveLength(1);
  });

  it('produces a rendition once across two instances on one database and store (advisory lock, no shared memory)', async () => {
    const second = await storageApp({ RENDER_NEW_PER_MINUTE: '1000' }, t.store);
    try {
      const file = await uploaded(await aJpeg(1200, 800));
      const from = (app: typeof t.app) => binary(request(app).get(`/api/v1/storage/render/${file.id}?width=321&format=webp`).set(bearer(token)));
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => from(i % 2 === 0 ? t.app : second.app)));
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
      expect(answers.filter((a) => a.headers['x-render-cache'] === 'MISS')).toHaveLength(1);
      expect(new Set(answers.map((a) => (a.body as Buffer).toString('base64'))).size).toBe(1);
      expect(await renditionsOf(file.id)).toHaveLength(1);
    } finally {
      await second.close();
      await fs.rm(second.root, { recursive: true, force: true });
    }
  });

  it('renders the first page of a PDF', async () => {
    const pdf = await uploaded(await aPdf(2, 'Render', 'Test'), { name: 'doc.pdf', type: 'application/pdf' });
    const res = await render(pdf.id, 'width=150');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect((await sharp(res.body as Buffer).metadata()).width).toBe(150);
    expectStandardError(await render(pdf.id, 'width=150&frame=1'), 400, 'VALIDATION_ERROR');
  });

  (hasFfmpeg ? it : it.skip)('renders a poster frame of a video at frame=<seconds>, and gives the video its poster\'s placeholder at upload', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-render-'));
    const out = path.join(folder, 'clip.mp4');
    const made = spawnSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', `testsrc=size=320x240:rate=25:duration=3`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-metadata', `comment=${randomUUID()}`, out]);
    expect(made.status).toBe(0);
    const video = await uploaded(await fs.readFile(out), { name: 'clip.mp4', type: 'video/mp4' });
    await fs.rm(folder, { recursive: true, force: true });
    const details = await request(t.app).get(`/api/v1/storage/files/${video.id}`).set(bearer(token));
    expect(details.body.metadata.placeholder).toEqual({ blurhash: expect.stringMatching(/^[0-9A-Za-z#$%*+,\-.:;=?@[\]^_{|}~]{20,}$/), dominant_color: expect.stringMatching(/^#[0-9a-f]{6}$/) });
    const poster = await render(video.id, 'width=160&frame=2&format=webp');
    expect(poster.status).toBe(200);
    expect(await sharp(poster.body as Buffer).metadata()).toMatchObject({ format: 'webp', width: 160, height: 120 });
    const defaultFrame = await render(video.id, 'width=160');
    expect(defaultFrame.headers['content-type']).toBe('image/jpeg');
    expect(defaultFrame.headers.etag).not.toBe(poster.headers.etag);
  });
});

describe('render presets, presets-only mode and the rate of new renditions', () => {
  let t: Awaited<ReturnType<typeof storageApp>>;
  let token: string;
  beforeAll(async () => {
    t = await storageApp({ RENDER_PRESETS: 'thumb:200x200,wide:300x', RENDER_ALLOW_ARBITRARY: 'false', RENDER_NEW_PER_MINUTE: '2' });
    token = await aToken({ sub: randomUUID() });
  });
  afterAll(() => t.cleanup());

  it('accepts presets only, and limits new renditions per caller while cached ones stay free', async () => {
    const res = await upload(t.app, token, await aJpeg(400, 300), { name: 'p.jpg', type: 'image/jpeg' });
    const id = res.body.file.id as string;
    const get = (query: string) => binary(request(t.app).get(`/api/v1/storage/render/${id}?${query}`).set(bearer(token)));
    const arbitrary = expectStandardError(await get('width=100'), 400, 'VALIDATION_ERROR');
    expect((arbitrary.details.issues as Array<{ path: string }>)[0]!.path).toBe('query.width');
    expectStandardError(await get('format=webp'), 400, 'VALIDATION_ERROR');

    const thumb = await get('preset=thumb');
    expect(thumb.status).toBe(200);
    expect(await sharp(thumb.body as Buffer).metadata()).toMatchObject({ width: 200, height: 200 });
    const wide = await get('preset=wide&format=webp');
    expect(await sharp(wide.body as Buffer).metadata()).toMatchObject({ width: 300, height: 225, format: 'webp' });
    // Two new renditions used the minute's allowance: a third new one is refused, cached ones are not.
    const limited = await get('preset=wide&format=png');
    expectStandardError(limited, 429, 'RATE_LIMIT_EXCEEDED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) expect((await get('preset=thumb')).status).toBe(200);
  });
});

describe('the bounded rendition cache (RENDER_CACHE_MAX_BYTES)', () => {
  let t: Awaited<ReturnType<typeof storageApp>>;
  let token: string;
  beforeAll(async () => {
    t = await storageApp({ RENDER_CACHE_MAX_BYTES: '20kb' });
    token = await aToken({ sub: randomUUID() });
  });
  afterAll(() => t.cleanup());

  it('evicts the least recently used renditions past its bound, and produces an evicted one again on request', async () => {
    const res = await upload(t.app, token, await aJpeg(600, 600), { name: 'e.jpg', type: 'image/jpeg' });
    const id = res.body.file.id as string;
    const get = (width: number) => binary(request(t.app).get(`/api/v1/storage/render/${id}?width=${width}&format=png`).set(bearer(token)));
    const sizes = async () => (t.container.get<SqlDatabase>(TOKENS.SqlDatabase) as PgSqlDatabase).withClient(async (c) =>
      (await c.query<{ width: number; size_bytes: string }>('SELECT width, size_bytes FROM file_renditions WHERE file_id = $1 ORDER BY last_used_at', [id])).rows);
    for (const width of [100, 101, 102, 103, 104, 105]) {
      expect((await get(width)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 30));
    }
    const kept = await eventually('eviction under the bound', async () => {
      const rows = await sizes();
      const total = rows.reduce((sum, r) => sum + Number(r.size_bytes), 0);
      return total <= 20 * 1024 ? rows : undefined;
    });
    expect(kept.length).toBeLessThan(6);
    // The newest survived; the oldest went, objects included, and comes back as a new production.
    expect(kept.map((r) => r.width)).toContain(105);
    expect(kept.map((r) => r.width)).not.toContain(100);
    expect(await filesUnder(path.join(t.root, 'renditions', id))).toHaveLength(kept.length);
    const again = await get(100);
    expect(again.status).toBe(200);
    expect(again.headers['x-render-cache']).toBe('MISS');
  });
});
