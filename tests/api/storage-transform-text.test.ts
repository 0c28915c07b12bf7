import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { LocalDiskObjectStore } from '../../src/adapters/object-store/local-disk-object-store';
import { TOKENS } from '../../src/infrastructure/tokens';
import { eventually } from '../support/eventually';
import { scratchDatabase } from '../support/scratch-database';
import { upload } from '../support/storage-world';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aPdfSaying, aTextImagePng } from '../support/text-fixtures';
import { aToken, bearer } from '../support/tokens';

/** text_extraction and ocr through the worker and the bound TextExtractor; the text becomes a text file. */
describe('text transformations through the TextExtractor (PostgreSQL, pg-boss)', () => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  let root: string;
  let store: LocalDiskObjectStore;
  let app: TestApp;
  let token: string;

  const textOf = async (fileId: string): Promise<string> => {
    const { files } = (await request(app.app).get('/api/v1/storage/files').set(bearer(token))).body as { files: Array<{ id: string; file_path: string }> };
    const file = files.find((f) => f.id === fileId)!;
    const parts: Buffer[] = [];
    for await (const part of await store.get(file.file_path)) parts.push(Buffer.from(part));
    return Buffer.concat(parts).toString('utf8');
  };
  const run = async (fileId: string, type: string) => {
    const accepted = await request(app.app).post('/api/v1/storage/transform').set(bearer(token)).send({ source_file_id: fileId, transformation_type: type, parameters: {} });
    expect(accepted.status).toBe(202);
    return eventually(`${type} to finish`, async () => {
      const body = (await request(app.app).get(`/api/v1/storage/transform/${accepted.body.transformation.id}`).set(bearer(token))).body;
      return ['completed', 'failed'].includes(body.transformation.status) ? body : undefined;
    }, 60_000);
  };

  beforeAll(async () => {
    db = await scratchDatabase();
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-transform-text-'));
    store = new LocalDiskObjectStore(root);
    await store.ensureReady();
    app = await buildTestApp({ env: { DATABASE_URL: db.url, TRANSFORM_CONCURRENCY: '1' }, overrides: { [TOKENS.ObjectStore]: store } });
    token = await aToken();
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('extracts the text of a PDF into a text file of the same owner', async () => {
    const pdf = await upload(app.app, token, await aPdfSaying('The quick brown fox', 'jumps over the lazy dog'), { name: 'fox.pdf', type: 'application/pdf' });
    expect(pdf.status).toBe(201);
    const done = await run(pdf.body.file.id, 'text_extraction');
    expect(done.transformation).toMatchObject({ status: 'completed', progress_percent: 100 });
    expect(done.output_file).toMatchObject({ original_name: 'fox_text_extraction.txt', mime_type: 'text/plain' });
    expect(await textOf(done.output_file.id)).toMatch(/quick brown fox/);
  });

  it('reads the text of an image by OCR', async () => {
    const png = await upload(app.app, token, aTextImagePng('HELLO'), { name: 'hello.png', type: 'image/png' });
    expect(png.status).toBe(201);
    const done = await run(png.body.file.id, 'ocr');
    expect(done.transformation.status).toBe('completed');
    expect((await textOf(done.output_file.id)).toUpperCase()).toContain('HELLO');
  }, 90_000);
});
