import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import request from 'supertest';
import { LocalDiskObjectStore } from '../../src/adapters/object-store/local-disk-object-store';
import type { SqlDatabase } from '../../src/application/ports/sql-database.port';
import { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { TOKENS } from '../../src/infrastructure/tokens';
import { expectStandardError } from '../support/error-body';
import { eventually } from '../support/eventually';
import { aPdf } from '../support/media-fixtures';
import { scratchDatabase } from '../support/scratch-database';
import { upload } from '../support/storage-world';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

/** A noisy (so unique) PNG of the given size. */
async function anImage(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor(Math.random() * 256);
  return sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

describe('POST/GET/DELETE /api/v1/storage/transform (real PostgreSQL, pg-boss)', () => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  let root: string;
  let store: LocalDiskObjectStore;
  const apps: TestApp[] = [];

  const start = async (concurrency = 2): Promise<TestApp> => {
    const app = await buildTestApp({ env: { DATABASE_URL: db.url, TRANSFORM_CONCURRENCY: String(concurrency) }, overrides: { [TOKENS.ObjectStore]: store } });
    apps.push(app);
    return app;
  };
  const close = async (app: TestApp) => {
    apps.splice(apps.indexOf(app), 1);
    await app.close();
  };
  const uploadImage = async (app: TestApp, token: string, content: Buffer, metadata?: unknown) => {
    const res = await upload(app.app, token, content, { name: 'photo.png', type: 'image/png', ...(metadata ? { metadata } : {}) });
    expect(res.status).toBe(201);
    return res.body.file as { id: string; size_bytes: number };
  };
  const transform = (app: TestApp, token: string, body: Record<string, unknown>) =>
    request(app.app).post('/api/v1/storage/transform').set(bearer(token)).send(body);
  const status = (app: TestApp, token: string, id: string) => request(app.app).get(`/api/v1/storage/transform/${id}`).set(bearer(token));
  const finished = (app: TestApp, token: string, id: string) =>
    eventually(`transformation ${id} to finish`, async () => {
      const res = await status(app, token, id);
      return ['completed', 'failed', 'cancelled'].includes(res.body.transformation?.status) ? res : undefined;
    }, 25_000);
  const sql = async <R>(app: TestApp, text: string, values: unknown[] = []): Promise<R[]> =>
    (app.container.get<SqlDatabase>(TOKENS.SqlDatabase) as PgSqlDatabase).withClient(async (c) => (await c.query(text, values)).rows as R[]);

  beforeAll(async () => {
    db = await scratchDatabase();
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-transform-'));
    store = new LocalDiskObjectStore(root);
    await store.ensureReady();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });
  afterAll(async () => {
    await db.drop();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('resizes an image: 202 queued, then completed with an output file of the right size owned by the same user', async () => {
    const app = await start();
    const userId = randomUUID();
    const token = await aToken({ sub: userId });
    const source = await uploadImage(app, token, await anImage(400, 300));

    const accepted = await transform(app, token, {
      source_file_id: source.id,
      transformation_type: 'image_resize',
      parameters: { width: 200, height: 200, maintain_aspect_ratio: true, format: 'jpeg', quality: 80 },
      output_name: 'small.jpg',
    });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({
      transformation: { source_file_id: source.id, transformation_type: 'image_resize', status: 'queued', progress_percent: 0 },
      queue_position: expect.any(Number),
    });
    expect(Date.parse(accepted.body.transformation.estimated_completion)).toBeGreaterThan(Date.parse(accepted.body.transformation.created_at));

    const done = await finished(app, token, accepted.body.transformation.id);
    expect(done.body.transformation).toMatchObject({ status: 'completed', progress_percent: 100, error_message: null });
    expect(done.body.transformation.processing_time_ms).toEqual(expect.any(Number));
    expect(done.body.output_file).toMatchObject({ original_name: 'small.jpg', mime_type: 'image/jpeg', urls: { download: expect.stringContaining(done.body.output_file.id) } });
    expect(done.body.transformation.target_file_id).toBe(done.body.output_file.id);

    const output = await request(app.app).get(`/api/v1/storage/files/${done.body.output_file.id}`).set(bearer(token));
    expect(output.status).toBe(200);
    expect(output.body.file.user_id).toBe(userId);
    const [row] = await sql<{ file_path: string }>(app, 'SELECT file_path FROM files WHERE id = $1', [done.body.output_file.id]);
    const parts: Buffer[] = [];
    for await (const part of await store.get(row!.file_path)) parts.push(Buffer.from(part));
    const meta = await sharp(Buffer.concat(parts)).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([200, 150, 'jpeg']);
    // Counted in the owner's quota: the row is theirs, in their listing.
    const listing = await request(app.app).get('/api/v1/storage/files').set(bearer(token));
    expect(listing.body.files.map((f: { id: string }) => f.id)).toEqual(expect.arrayContaining([source.id, done.body.output_file.id]));
    const source2 = await request(app.app).get(`/api/v1/storage/files/${source.id}`).set(bearer(token));
    expect(source2.body.transformations).toEqual([{ id: accepted.body.transformation.id, type: 'image_resize', status: 'completed', output_file_id: done.body.output_file.id }]);
  });

  it('refuses a combination outside the matrix with 422, bad parameters with 400, and another user\'s file with 404', async () => {
    const app = await start(0);
    const token = await aToken();
    const pdf = await upload(app.app, token, await aPdf(1, 't', 'a'), { name: 'doc.pdf', type: 'application/pdf' });
    expect(pdf.status).toBe(201);
    const refused = await transform(app, token, { source_file_id: pdf.body.file.id, transformation_type: 'image_resize', parameters: { width: 10 } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('UNSUPPORTED_TRANSFORMATION');

    const image = await uploadImage(app, token, await anImage(20, 20));
    const bad = await transform(app, token, { source_file_id: image.id, transformation_type: 'image_resize', parameters: { width: -3 } });
    expect(bad.status).toBe(400);
    const unknown = await transform(app, token, { source_file_id: image.id, transformation_type: 'teleport', parameters: {} });
    expect(unknown.status).toBe(400);

    const stranger = await aToken();
    const hidden = await transform(app, stranger, { source_file_id: image.id, transformation_type: 'thumbnail_generation', parameters: {} });
    expect(hidden.status).toBe(404);
    const mine = await transform(app, token, { source_file_id: image.id, transformation_type: 'thumbnail_generation', parameters: {} });
    expect(mine.status).toBe(202);
    expect((await status(app, stranger, mine.body.transformation.id)).status).toBe(404);
    expect((await request(app.app).delete(`/api/v1/storage/transform/${mine.body.transformation.id}`).set(bearer(stranger))).status).toBe(404);
    const admin = await aToken({ role: 'admin' });
    expect((await status(app, admin, mine.body.transformation.id)).status).toBe(200);
  });

  it('cancels a queued job: it never runs and leaves no output file', async () => {
    const paused = await start(0);
    const token = await aToken();
    const image = await uploadImage(paused, token, await anImage(50, 50));
    const accepted = await transform(paused, token, { source_file_id: image.id, transformation_type: 'compression', parameters: { quality: 40 } });
    const id = accepted.body.transformation.id;
    const cancelled = await request(paused.app).delete(`/api/v1/storage/transform/${id}`).set(bearer(token));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.transformation.status).toBe('cancelled');
    expect((await request(paused.app).delete(`/api/v1/storage/transform/${id}`).set(bearer(token))).status).toBe(409);

    await close(paused);
    const worker = await start(2);
    const after = await transform(worker, token, { source_file_id: image.id, transformation_type: 'thumbnail_generation', parameters: {} });
    await finished(worker, token, after.body.transformation.id);
    const rows = await sql<{ status: string; target_file_id: string | null }>(worker, 'SELECT status, target_file_id::text FROM file_transformations WHERE id = $1', [id]);
    expect(rows).toEqual([{ status: 'cancelled', target_file_id: null }]);
    const outputs = await sql(worker, `SELECT id FROM files WHERE metadata->>'transformation_id' = $1`, [id]);
    expect(outputs).toEqual([]);
  });

  it('fails a corrupt image with an error_message and no output file', async () => {
    const app = await start();
    const token = await aToken();
    const good = await anImage(100, 100);
    // A PNG signature and header, then garbage: sniffed as PNG, undecodable.
    const corrupt = Buffer.concat([good.subarray(0, 40), Buffer.from(randomUUID().repeat(20))]);
    const file = await uploadImage(app, token, corrupt);
    const accepted = await transform(app, token, { source_file_id: file.id, transformation_type: 'image_resize', parameters: { width: 10 } });
    expect(accepted.status).toBe(202);
    const done = await finished(app, token, accepted.body.transformation.id);
    expect(done.body.transformation.status).toBe('failed');
    expect(done.body.transformation.error_message).toMatch(/image/i);
    expect(done.body.output_file).toBeNull();
    expect(await sql(app, `SELECT id FROM files WHERE metadata->>'transformation_id' = $1`, [accepted.body.transformation.id])).toEqual([]);
  });

  it('two instances sharing the queue complete each job once', async () => {
    const a = await start(2);
    const b = await start(2);
    const token = await aToken();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const file = await uploadImage(a, token, await anImage(60 + i, 40));
      const res = await transform(i % 2 ? a : b, token, { source_file_id: file.id, transformation_type: 'thumbnail_generation', parameters: { width: 30, height: 30 } });
      ids.push(res.body.transformation.id);
    }
    for (const id of ids) expect((await finished(a, token, id)).body.transformation.status).toBe('completed');
    await new Promise((r) => setTimeout(r, 1_000));
    const rows = await sql<{ attempts: number; outputs: string }>(a,
      `SELECT t.attempts, (SELECT count(*) FROM files f WHERE f.metadata->>'transformation_id' = t.id::text)::text AS outputs
         FROM file_transformations t WHERE t.id = ANY($1::uuid[])`, [ids]);
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => r.attempts === 1 && r.outputs === '1')).toBe(true);
  });

  it('a job queued before a restart completes once on the next instance', async () => {
    const first = await start(0);
    const token = await aToken();
    const file = await uploadImage(first, token, await anImage(80, 80));
    const accepted = await transform(first, token, { source_file_id: file.id, transformation_type: 'format_conversion', parameters: { format: 'webp' } });
    await close(first);
    const second = await start(2);
    const done = await finished(second, token, accepted.body.transformation.id);
    expect(done.body.transformation.status).toBe('completed');
    expect(done.body.output_file.mime_type).toBe('image/webp');
    await new Promise((r) => setTimeout(r, 1_000));
    const rows = await sql<{ attempts: number }>(second, 'SELECT attempts FROM file_transformations WHERE id = $1', [accepted.body.transformation.id]);
    expect(rows).toEqual([{ attempts: 1 }]);
  });

  it('auto_transform at upload queues a thumbnail for an image', async () => {
    const app = await start();
    const token = await aToken();
    const file = await uploadImage(app, token, await anImage(300, 100), { auto_transform: true });
    const details = await eventually('the thumbnail', async () => {
      const res = await request(app.app).get(`/api/v1/storage/files/${file.id}`).set(bearer(token));
      return res.body.transformations?.[0]?.status === 'completed' ? res : undefined;
    }, 25_000);
    expect(details.body.transformations[0].type).toBe('thumbnail_generation');
  });

  it('GET /storage/transform lists the caller\'s jobs newest first with their files, paged and filtered; an admin sees every user\'s', async () => {
    const app = await start(1);
    const alice = randomUUID();
    const aliceToken = await aToken({ sub: alice });
    const bobToken = await aToken();
    const photo = await uploadImage(app, aliceToken, await anImage(120, 80));
    const bobs = await uploadImage(app, bobToken, await anImage(60, 60));
    const resize = await transform(app, aliceToken, { source_file_id: photo.id, transformation_type: 'image_resize', parameters: { width: 60, height: 40, format: 'png' } });
    await finished(app, aliceToken, resize.body.transformation.id);
    const second = await transform(app, aliceToken, { source_file_id: photo.id, transformation_type: 'format_conversion', parameters: { format: 'webp' } });
    const bobJob = await transform(app, bobToken, { source_file_id: bobs.id, transformation_type: 'format_conversion', parameters: { format: 'webp' } });
    await finished(app, aliceToken, second.body.transformation.id);

    const list = (token: string, query = '') => request(app.app).get(`/api/v1/storage/transform${query}`).set(bearer(token));
    const mine = await list(aliceToken);
    expect(mine.status).toBe(200);
    expect(mine.headers['cache-control']).toBe('no-store');
    expect(mine.body.pagination).toEqual({ page: 1, limit: 20, total: 2, pages: 1 });
    expect(mine.body.transformations.map((t: { transformation: { id: string } }) => t.transformation.id)).toEqual([second.body.transformation.id, resize.body.transformation.id]);
    const [newest, oldest] = mine.body.transformations;
    expect(oldest.transformation).toEqual(expect.objectContaining({
      transformation_type: 'image_resize', status: 'completed', progress_percent: 100, user_id: alice, source_file_id: photo.id,
      parameters: { width: 60, height: 40, format: 'png' }, created_at: expect.any(String), error_message: null,
    }));
    expect(oldest.source_file).toEqual({ id: photo.id, original_name: 'photo.png', mime_type: 'image/png', file_type: 'image', size_bytes: photo.size_bytes });
    expect(oldest.output_file).toEqual(expect.objectContaining({ mime_type: 'image/png', original_name: expect.stringMatching(/\.png$/), urls: expect.objectContaining({ download: expect.any(String) }) }));
    expect(newest.output_file.mime_type).toBe('image/webp');

    // Pages of one, a status filter, a source filter.
    const page2 = await list(aliceToken, '?limit=1&page=2');
    expect(page2.body.pagination).toEqual({ page: 2, limit: 1, total: 2, pages: 2 });
    expect(page2.body.transformations[0].transformation.id).toBe(resize.body.transformation.id);
    expect((await list(aliceToken, '?status=queued')).body.transformations).toEqual([]);
    expect((await list(aliceToken, `?source_file_id=${bobs.id}`)).body.pagination.total).toBe(0);

    // Bob sees only his; he may not ask for Alice's; an admin sees both, and one user's with user_id.
    const bobsList = await list(bobToken);
    expect(bobsList.body.transformations.map((t: { transformation: { id: string } }) => t.transformation.id)).toEqual([bobJob.body.transformation.id]);
    expectStandardError(await list(bobToken, `?user_id=${alice}`), 403, 'FORBIDDEN');
    const adminToken = await aToken({ role: 'admin' });
    const everyone = await list(adminToken, '?limit=100');
    const ids = everyone.body.transformations.map((t: { transformation: { id: string } }) => t.transformation.id);
    expect(ids).toEqual(expect.arrayContaining([second.body.transformation.id, resize.body.transformation.id, bobJob.body.transformation.id]));
    expect((await list(adminToken, `?user_id=${alice}`)).body.pagination.total).toBe(2);

    expectStandardError(await list(aliceToken, '?status=pending'), 400, 'VALIDATION_ERROR');
    expectStandardError(await list(aliceToken, '?limit=101'), 400, 'VALIDATION_ERROR');
    expectStandardError(await list(aliceToken, '?user_id=nope'), 400, 'VALIDATION_ERROR');
    expectStandardError(await request(app.app).get('/api/v1/storage/transform'), 401, 'UNAUTHORIZED');
  });
});
