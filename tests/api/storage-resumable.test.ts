import request from 'supertest';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { expectStandardError } from '../support/error-body';
import { resumableWorld } from '../support/resumable-world';
import { aToken, bearer } from '../support/tokens';

const CHUNK = 256 * 1024;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** A PDF of two full chunks and a short last one. */
const aPdf = (size = 2 * CHUNK + 1000) => Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(size - 9)]);
const chunkOf = (content: Buffer, i: number) => content.subarray(i * CHUNK, (i + 1) * CHUNK);

describe('resumable uploads (seed protocol)', () => {
  let world: Awaited<ReturnType<typeof resumableWorld>>;
  const owner = randomUUID();
  let auth: { Authorization: string };

  beforeAll(async () => {
    world = await resumableWorld();
    auth = bearer(await aToken({ sub: owner }));
  });
  afterAll(() => world.dispose());

  async function init(content: Buffer, extra: Record<string, unknown> = {}) {
    const res = await request(world.app)
      .post('/api/v1/storage/upload/resumable/init')
      .set(auth)
      .send({ filename: 'livre.pdf', file_size: content.length, mime_type: 'application/pdf', chunk_size: CHUNK, metadata: { tags: ['a'] }, ...extra });
    expect(res.status).toBe(201);
    return res.body as { upload_session: { session_id: string; total_chunks: number }; file: { id: string } };
  }
  const put = (sessionId: string, index: number, body: Buffer, checksum: string | null = md5(body), headers = auth) => {
    const req = request(world.app)
      .put('/api/v1/storage/upload/resumable/chunk')
      .set(headers)
      .set('Content-Type', 'application/octet-stream')
      .set('X-Upload-Session', sessionId)
      .set('X-Chunk-Index', String(index));
    return (checksum ? req.set('X-Chunk-Checksum', checksum) : req).send(body);
  };

  it('init answers the seed body', async () => {
    const content = aPdf();
    const body = await init(content);
    expect(body).toEqual({
      upload_session: {
        session_id: expect.any(String),
        upload_url: 'http://storage.test/api/v1/storage/upload/resumable/chunk',
        chunk_size: CHUNK,
        total_chunks: 3,
        expires_at: new Date(world.clock.now().getTime() + 3600_000).toISOString(),
      },
      file: { id: expect.any(String), status: 'uploading', progress: 0 },
    });
  });

  it('chunks out of order; the last one creates the file with the right checksums', async () => {
    const content = aPdf();
    const { upload_session: s, file } = await init(content);
    const first = await put(s.session_id, 2, content.subarray(2 * CHUNK));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      chunk: { index: 2, status: 'uploaded', checksum_verified: true },
      upload: { progress_percent: 33, chunks_uploaded: 1, chunks_remaining: 2 },
    });
    expect((await put(s.session_id, 0, chunkOf(content, 0))).status).toBe(200);
    const last = await put(s.session_id, 1, chunkOf(content, 1));
    expect(last.status).toBe(201);
    expect(last.body.file).toMatchObject({ id: file.id, original_name: 'livre.pdf', size_bytes: content.length, checksum_md5: md5(content), checksum_sha256: sha256(content), mime_type: 'application/pdf' });
    expect(last.body.file.metadata).toEqual({ tags: ['a'] });
    expect(last.body.upload).toMatchObject({ status: 'completed', progress_percent: 100, chunks_remaining: 0 });
    expect(last.body.urls.download).toBe(`http://storage.test/api/v1/storage/download/${file.id}`);
    const row = await world.files().findById(file.id);
    expect(row?.checksumSha256).toBe(sha256(content));
    const stored = await fs.readFile(path.join(world.root, row!.filePath));
    expect(Buffer.compare(stored, content)).toBe(0);
    const status = await request(world.app).get(`/api/v1/storage/upload/resumable/${s.session_id}`).set(auth);
    expect(status.body.upload_session.status).toBe('completed');
  });

  it('re-sending a chunk is idempotent; GET lists what arrived and what is missing', async () => {
    const content = aPdf();
    const { upload_session: s } = await init(content);
    await put(s.session_id, 1, chunkOf(content, 1));
    const again = await put(s.session_id, 1, chunkOf(content, 1));
    expect(again.body.upload).toMatchObject({ chunks_uploaded: 1, chunks_remaining: 2 });
    const res = await request(world.app).get(`/api/v1/storage/upload/resumable/${s.session_id}`).set(auth);
    expect(res.status).toBe(200);
    expect(res.body.chunks).toEqual([{ index: 1, checksum_md5: md5(chunkOf(content, 1)) }]);
    expect(res.body.missing_chunks).toEqual([0, 2]);
    expect(res.body.upload_session).toMatchObject({ status: 'uploading', total_chunks: 3, file_size: content.length });
  });

  it('a corrupted chunk (checksum mismatch) is 422 and not recorded', async () => {
    const content = aPdf();
    const { upload_session: s } = await init(content);
    const corrupted = Buffer.from(chunkOf(content, 0));
    corrupted[10] = corrupted[10]! ^ 0xff;
    expectStandardError(await put(s.session_id, 0, corrupted, md5(chunkOf(content, 0))), 422, 'CHECKSUM_MISMATCH');
    const res = await request(world.app).get(`/api/v1/storage/upload/resumable/${s.session_id}`).set(auth);
    expect(res.body.chunks).toEqual([]);
  });

  it('an index outside the session or a wrong length is 400; bad headers are 400', async () => {
    const content = aPdf();
    const { upload_session: s } = await init(content);
    expectStandardError(await put(s.session_id, 3, content.subarray(2 * CHUNK)), 400, 'VALIDATION_ERROR');
    expectStandardError(await put(s.session_id, 0, chunkOf(content, 0).subarray(1)), 400, 'VALIDATION_ERROR');
    expectStandardError(await put(s.session_id, 2, chunkOf(content, 0)), 400, 'VALIDATION_ERROR');
    expectStandardError(await put('nope', 0, chunkOf(content, 0)), 400, 'VALIDATION_ERROR');
    expectStandardError(await put(s.session_id, 0, chunkOf(content, 0), 'xyz'), 400, 'VALIDATION_ERROR');
  });

  it("another user's session is 404, an unknown one too", async () => {
    const content = aPdf();
    const { upload_session: s } = await init(content);
    const stranger = bearer(await aToken());
    expectStandardError(await put(s.session_id, 0, chunkOf(content, 0), null, stranger), 404, 'UPLOAD_SESSION_NOT_FOUND');
    expectStandardError(await request(world.app).get(`/api/v1/storage/upload/resumable/${s.session_id}`).set(stranger), 404, 'UPLOAD_SESSION_NOT_FOUND');
    expectStandardError(await put(randomUUID(), 0, chunkOf(content, 0)), 404, 'UPLOAD_SESSION_NOT_FOUND');
  });

  it('an expired session is 410; the cleanup drops its staged chunks', async () => {
    const content = aPdf();
    const { upload_session: s } = await init(content);
    await put(s.session_id, 0, chunkOf(content, 0));
    world.clock.advance(3600_000);
    try {
      expectStandardError(await put(s.session_id, 1, chunkOf(content, 1)), 410, 'UPLOAD_SESSION_EXPIRED');
      expectStandardError(await request(world.app).get(`/api/v1/storage/upload/resumable/${s.session_id}`).set(auth), 410, 'UPLOAD_SESSION_EXPIRED');
      expect(await world.cleaner().execute()).toBeGreaterThanOrEqual(1);
      expect((await world.sessions().findById(s.session_id))?.status).toBe('expired');
    } finally {
      world.clock.advance(-3600_000);
    }
    expectStandardError(await put(s.session_id, 1, chunkOf(content, 1)), 410, 'UPLOAD_SESSION_EXPIRED');
  });

  it('chunks sent in parallel: exactly one answer creates the file', async () => {
    const content = aPdf(4 * CHUNK);
    const { upload_session: s, file } = await init(content);
    const answers = await Promise.all([0, 1, 2, 3].map((i) => put(s.session_id, i, chunkOf(content, i))));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 201]);
    expect((await world.files().findById(file.id))?.checksumMd5).toBe(md5(content));
  });

  it('a file refused at completion (whole-file md5) leaves no object and no row; the session is failed', async () => {
    const content = aPdf();
    const { upload_session: s, file } = await init(content, { checksum_md5: md5(Buffer.from('other')) });
    await put(s.session_id, 0, chunkOf(content, 0));
    await put(s.session_id, 1, chunkOf(content, 1));
    expectStandardError(await put(s.session_id, 2, content.subarray(2 * CHUNK)), 422, 'CHECKSUM_MISMATCH');
    expect(await world.files().findById(file.id)).toBeNull();
    const session = await world.sessions().findById(s.session_id);
    expect(session?.status).toBe('failed');
    expect(await world.store.head(session!.key)).toBeNull();
    expectStandardError(await put(s.session_id, 2, content.subarray(2 * CHUNK)), 409, 'CONFLICT');
  });

  it('a spoofed type is refused at completion exactly as in a direct upload (415)', async () => {
    const content = randomBytes(CHUNK);
    const { upload_session: s } = await init(content);
    expectStandardError(await put(s.session_id, 0, content), 415, 'INVALID_FILE_TYPE');
  });

  it('init refuses chunk sizes outside 256 KiB..100 MiB', async () => {
    const res = await request(world.app)
      .post('/api/v1/storage/upload/resumable/init')
      .set(auth)
      .send({ filename: 'a.pdf', file_size: 10, mime_type: 'application/pdf', chunk_size: 1024 });
    expectStandardError(res, 400, 'VALIDATION_ERROR');
  });
});

describe('resumable uploads across a restart', () => {
  it('a second service instance on the same database and disk continues the session', async () => {
    const first = await resumableWorld();
    const owner = randomUUID();
    const auth = bearer(await aToken({ sub: owner }));
    const content = aPdf();
    const init = await request(first.app)
      .post('/api/v1/storage/upload/resumable/init')
      .set(auth)
      .send({ filename: 'r.pdf', file_size: content.length, mime_type: 'application/pdf', chunk_size: CHUNK });
    const sessionId = init.body.upload_session.session_id as string;
    const put = (app: typeof first.app, i: number, body: Buffer) =>
      request(app).put('/api/v1/storage/upload/resumable/chunk').set(auth).set('Content-Type', 'application/octet-stream')
        .set('X-Upload-Session', sessionId).set('X-Chunk-Index', String(i)).set('X-Chunk-Checksum', md5(body)).send(body);
    expect((await put(first.app, 0, chunkOf(content, 0))).status).toBe(200);
    await first.dispose(false);

    const second = await resumableWorld({ root: first.root, clock: first.clock });
    try {
      const status = await request(second.app).get(`/api/v1/storage/upload/resumable/${sessionId}`).set(auth);
      expect(status.body.missing_chunks).toEqual([1, 2]);
      expect((await put(second.app, 2, content.subarray(2 * CHUNK))).status).toBe(200);
      const last = await put(second.app, 1, chunkOf(content, 1));
      expect(last.status).toBe(201);
      expect(last.body.file.checksum_sha256).toBe(sha256(content));
    } finally {
      await second.dispose();
    }
  });
});
