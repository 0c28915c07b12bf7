import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { LocalDiskObjectStore } from '../../src/adapters/object-store/local-disk-object-store';
import { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import type { SqlDatabase } from '../../src/application/ports/sql-database.port';
import { TOKENS } from '../../src/infrastructure/tokens';
import { eventually } from '../support/eventually';
import { scratchDatabase } from '../support/scratch-database';
import { upload } from '../support/storage-world';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

const hasFfmpeg = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;

/** A test-pattern clip with a tone, made by the ffmpeg binary (noise in the name keeps it unique). */
async function aClip(folder: string, seconds: number, size: string): Promise<Buffer> {
  const out = path.join(folder, `clip-${seconds}-${size}-${Math.random()}.mp4`);
  const r = spawnSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=25:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=${200 + Math.floor(Math.random() * 800)}:sample_rate=44100:duration=${seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', out]);
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return fs.readFile(out);
}

/** Through the worker with the real ffmpeg adapter: progress while working, and cancelling a running job. */
(hasFfmpeg ? describe : describe.skip)('transformations of videos through the MediaTransformer (real ffmpeg, PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  let root: string;
  let app: TestApp;
  let token: string;

  const sql = async <R>(text: string, values: unknown[] = []): Promise<R[]> =>
    (app.container.get<SqlDatabase>(TOKENS.SqlDatabase) as PgSqlDatabase).withClient(async (c) => (await c.query(text, values)).rows as R[]);
  const uploadClip = async (content: Buffer) => {
    const res = await upload(app.app, token, content, { name: 'clip.mp4', type: 'video/mp4' });
    expect(res.status).toBe(201);
    return res.body.file.id as string;
  };
  const transform = (body: Record<string, unknown>) => request(app.app).post('/api/v1/storage/transform').set(bearer(token)).send(body);
  const status = async (id: string) => (await request(app.app).get(`/api/v1/storage/transform/${id}`).set(bearer(token))).body;

  beforeAll(async () => {
    db = await scratchDatabase();
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-transform-media-'));
    const store = new LocalDiskObjectStore(root);
    await store.ensureReady();
    app = await buildTestApp({ env: { DATABASE_URL: db.url, TRANSFORM_CONCURRENCY: '1' }, overrides: { [TOKENS.ObjectStore]: store } });
    token = await aToken();
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('resizes a video, its progress moving from 0 to 100', async () => {
    expect(app.container.isBound(TOKENS.MediaTransformer)).toBe(true);
    const source = await uploadClip(await aClip(root, 6, '640x360'));
    const accepted = await transform({ source_file_id: source, transformation_type: 'video_resize', parameters: { width: 320, height: 180 } });
    expect(accepted.status).toBe(202);
    const seen = new Set<number>();
    const done = await eventually('the resize', async () => {
      const body = await status(accepted.body.transformation.id);
      seen.add(body.transformation.progress_percent);
      return ['completed', 'failed'].includes(body.transformation.status) ? body : undefined;
    }, 60_000);
    expect(done.transformation).toMatchObject({ status: 'completed', progress_percent: 100 });
    expect(done.output_file).toMatchObject({ mime_type: 'video/mp4', original_name: 'clip_video_resize.mp4' });
    expect(Math.min(...seen)).toBeLessThan(100);
  });

  it('draws a waveform as a PNG, or gives its peaks as JSON', async () => {
    const source = await uploadClip(await aClip(root, 2, '160x90'));
    const png = await transform({ source_file_id: source, transformation_type: 'waveform_generation', parameters: { output: 'png', width: 400, height: 100 } });
    const json = await transform({ source_file_id: source, transformation_type: 'waveform_generation', parameters: { points: 50 } });
    for (const [res, mime] of [[png, 'image/png'], [json, 'application/json']] as const) {
      const done = await eventually('the waveform', async () => {
        const body = await status(res.body.transformation.id);
        return ['completed', 'failed'].includes(body.transformation.status) ? body : undefined;
      }, 30_000);
      expect(done.transformation.status).toBe('completed');
      expect(done.output_file.mime_type).toBe(mime);
    }
  });

  it('cancels a running job: ffmpeg stops and no output file is kept', async () => {
    const source = await uploadClip(await aClip(root, 30, '1280x720'));
    const accepted = await transform({ source_file_id: source, transformation_type: 'format_conversion', parameters: { format: 'webm' } });
    const id = accepted.body.transformation.id;
    await eventually('the job to start', async () => ((await status(id)).transformation.status === 'processing' ? true : undefined), 20_000);
    const cancelled = await request(app.app).delete(`/api/v1/storage/transform/${id}`).set(bearer(token));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.transformation.status).toBe('cancelled');
    // The worker notices within its poll interval and frees the slot: the next job runs.
    const next = await transform({ source_file_id: source, transformation_type: 'thumbnail_generation', parameters: {} });
    await eventually('the next job', async () => ((await status(next.body.transformation.id)).transformation.status === 'completed' ? true : undefined), 30_000);
    expect(await sql(`SELECT id FROM files WHERE metadata->>'transformation_id' = $1`, [id])).toEqual([]);
    expect((await status(id)).transformation).toMatchObject({ status: 'cancelled', target_file_id: null });
  });
});

(hasFfmpeg ? describe : describe.skip)('a transformation past TRANSFORM_TIMEOUT_SECONDS (real ffmpeg, own database)', () => {
  it('fails, after its retries, with the timeout as error_message and no output file', async () => {
    const db = await scratchDatabase();
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-transform-timeout-'));
    const store = new LocalDiskObjectStore(root);
    await store.ensureReady();
    const app = await buildTestApp({
      env: { DATABASE_URL: db.url, TRANSFORM_CONCURRENCY: '1', TRANSFORM_TIMEOUT_SECONDS: '1', TRANSFORM_RETRIES: '0' },
      overrides: { [TOKENS.ObjectStore]: store },
    });
    try {
      const token = await aToken();
      const res = await upload(app.app, token, await aClip(root, 20, '1280x720'), { name: 'clip.mp4', type: 'video/mp4' });
      const accepted = await request(app.app).post('/api/v1/storage/transform').set(bearer(token))
        .send({ source_file_id: res.body.file.id, transformation_type: 'format_conversion', parameters: { format: 'webm' } });
      const id = accepted.body.transformation.id;
      const done = await eventually('the timeout', async () => {
        const body = (await request(app.app).get(`/api/v1/storage/transform/${id}`).set(bearer(token))).body;
        return body.transformation.status === 'failed' ? body : undefined;
      }, 30_000);
      // Whichever notices first: the worker's own timeout, or the queue's dead letter of the expired job.
      expect(done.transformation.error_message).toMatch(/Timed out after 1 s|The worker running it stopped before it finished/);
      expect(done.output_file).toBeNull();
      const rows = await (app.container.get<SqlDatabase>(TOKENS.SqlDatabase) as PgSqlDatabase).withClient(async (c) =>
        (await c.query(`SELECT id FROM files WHERE metadata->>'transformation_id' = $1`, [id])).rows);
      expect(rows).toEqual([]);
    } finally {
      await app.close();
      await db.drop();
      await fs.rm(root, { recursive: true, force: true });
    }
  }, 60_000);
});
