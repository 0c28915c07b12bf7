import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import request from 'supertest';
import { LocalDiskObjectStore } from '../../src/adapters/object-store/local-disk-object-store';
import { TOKENS } from '../../src/infrastructure/tokens';
import { eventually } from '../support/eventually';
import { aPdfWithABlackTopHalf } from '../support/page-fixtures';
import { scratchDatabase } from '../support/scratch-database';
import { upload } from '../support/storage-world';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aDocxSaying, aPdfSaying } from '../support/text-fixtures';
import { aToken, bearer } from '../support/tokens';

/** thumbnail_generation of PDFs: the first page drawn by the bound DocumentRenderer, then a JPEG thumbnail. */
describe('PDF thumbnails through the DocumentRenderer (PostgreSQL, pg-boss)', () => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  let root: string;
  let store: LocalDiskObjectStore;
  let app: TestApp;
  let token: string;

  const contentOf = async (fileId: string): Promise<Buffer> => {
    const { files } = (await request(app.app).get('/api/v1/storage/files').set(bearer(token))).body as { files: Array<{ id: string; file_path: string }> };
    const parts: Buffer[] = [];
    for await (const part of await store.get(files.find((f) => f.id === fileId)!.file_path)) parts.push(Buffer.from(part));
    return Buffer.concat(parts);
  };
  const transform = (body: Record<string, unknown>) => request(app.app).post('/api/v1/storage/transform').set(bearer(token)).send(body);

  beforeAll(async () => {
    db = await scratchDatabase();
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-transform-pdf-'));
    store = new LocalDiskObjectStore(root);
    await store.ensureReady();
    app = await buildTestApp({ env: { DATABASE_URL: db.url, TRANSFORM_CONCURRENCY: '2' }, overrides: { [TOKENS.ObjectStore]: store } });
    token = await aToken();
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('draws the first page of a PDF into a JPEG thumbnail within 200×200 that shows the page', async () => {
    const pdf = await upload(app.app, token, await aPdfWithABlackTopHalf(400, 600), { name: 'report.pdf', type: 'application/pdf' });
    expect(pdf.status).toBe(201);
    const accepted = await transform({ source_file_id: pdf.body.file.id, transformation_type: 'thumbnail_generation', parameters: {} });
    expect(accepted.status).toBe(202);
    const done = await eventually('the PDF thumbnail', async () => {
      const body = (await request(app.app).get(`/api/v1/storage/transform/${accepted.body.transformation.id}`).set(bearer(token))).body;
      return ['completed', 'failed'].includes(body.transformation.status) ? body : undefined;
    }, 30_000);
    expect(done.transformation).toMatchObject({ status: 'completed', progress_percent: 100, error_message: null });
    expect(done.output_file).toMatchObject({ original_name: 'report_thumbnail_generation.jpg', mime_type: 'image/jpeg' });

    const jpeg = await contentOf(done.output_file.id);
    const meta = await sharp(jpeg).metadata();
    expect(meta.format).toBe('jpeg');
    // A 400×600 pt page, inside 200×200: 133 or 134 wide (rounding), 200 high.
    expect(meta.width).toBeLessThanOrEqual(200);
    expect(meta.width).toBeGreaterThanOrEqual(130);
    expect(meta.height).toBe(200);
    const { data, info } = await sharp(jpeg).greyscale().raw().toBuffer({ resolveWithObject: true });
    const greyAt = (fx: number, fy: number) => data[Math.floor(fy * (info.height - 1)) * info.width + Math.floor(fx * (info.width - 1))]!;
    expect(greyAt(0.5, 0.2)).toBeLessThan(40);
    expect(greyAt(0.5, 0.8)).toBeGreaterThan(215);
  });

  it('auto_transform on a PDF queues a first-page thumbnail and a text extraction, and both complete', async () => {
    const pdf = await upload(app.app, token, await aPdfSaying('Automatic thumbnail and text.'), {
      name: 'auto.pdf',
      type: 'application/pdf',
      metadata: { auto_transform: true },
    });
    expect(pdf.status).toBe(201);
    const details = await eventually('both automatic transformations', async () => {
      const res = await request(app.app).get(`/api/v1/storage/files/${pdf.body.file.id}`).set(bearer(token));
      const transformations = (res.body.transformations ?? []) as Array<{ status: string }>;
      return transformations.length === 2 && transformations.every((t) => ['completed', 'failed'].includes(t.status)) ? res : undefined;
    }, 30_000);
    const byType = Object.fromEntries((details.body.transformations as Array<{ type: string; status: string }>).map((t) => [t.type, t.status]));
    expect(byType).toEqual({ thumbnail_generation: 'completed', text_extraction: 'completed' });
  });

  it('still refuses the thumbnail of a document type the renderer does not draw (DOCX) with 422', async () => {
    const docx = await upload(app.app, token, await aDocxSaying('No pages drawn here.'), {
      name: 'notes.docx',
      type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    });
    expect(docx.status).toBe(201);
    const refused = await transform({ source_file_id: docx.body.file.id, transformation_type: 'thumbnail_generation', parameters: {} });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('UNSUPPORTED_TRANSFORMATION');
  });
});
