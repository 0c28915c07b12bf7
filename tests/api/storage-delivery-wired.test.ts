import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { binaryBody } from '../support/binary-body';
import { aPng } from '../support/media-fixtures';
import { md5, sha256, storageApp, upload } from '../support/storage-world';
import { aToken, bearer } from '../support/tokens';

/** Download, stream and resumable upload as container.ts wires them, next to the direct upload. */
describe('storage delivery, wired', () => {
  let world: Awaited<ReturnType<typeof storageApp>>;
  let token: string;

  beforeAll(async () => {
    world = await storageApp();
    token = await aToken({ sub: randomUUID() });
  });
  afterAll(() => world.cleanup());

  it('a directly uploaded file downloads through the signed URL and streams by range', async () => {
    const png = aPng(8, 8);
    const uploaded = await upload(world.app, token, png, { name: 'p.png', type: 'image/png' });
    expect(uploaded.status).toBe(201);
    const id = uploaded.body.file.id as string;
    const redirect = await request(world.app).get(`/api/v1/storage/download/${id}`).set(bearer(token)).redirects(0);
    expect(redirect.status).toBe(302);
    const served = await request(world.app).get(redirect.headers.location as string).buffer(true).parse(binaryBody);
    expect(served.status).toBe(200);
    expect(sha256(served.body)).toBe(sha256(png));
    const ranged = await request(world.app).get(`/api/v1/storage/stream/${id}`).set(bearer(token)).set('Range', 'bytes=0-7').buffer(true).parse(binaryBody);
    expect(ranged.status).toBe(206);
    expect(ranged.headers['content-type']).toBe('image/png');
    expect(Buffer.compare(ranged.body, png.subarray(0, 8))).toBe(0);
  });

  it('a resumable upload ends in the same file creation (a one-chunk PNG)', async () => {
    const png = aPng(16, 16);
    const init = await request(world.app)
      .post('/api/v1/storage/upload/resumable/init')
      .set(bearer(token))
      .send({ filename: 'r.png', file_size: png.length, mime_type: 'image/png', checksum_md5: md5(png) });
    expect(init.status).toBe(201);
    expect(init.body.upload_session).toMatchObject({ chunk_size: 5 * 1024 * 1024, total_chunks: 1 });
    const done = await request(world.app)
      .put('/api/v1/storage/upload/resumable/chunk')
      .set(bearer(token))
      .set('Content-Type', 'application/octet-stream')
      .set('X-Upload-Session', init.body.upload_session.session_id)
      .set('X-Chunk-Index', '0')
      .set('X-Chunk-Checksum', md5(png))
      .send(png);
    expect(done.status).toBe(201);
    expect(done.body.file).toMatchObject({ id: init.body.file.id, mime_type: 'image/png', checksum_sha256: sha256(png), file_type: 'image' });
    expect(done.body.urls.download).toMatch(new RegExp(`/api/v1/storage/download/${init.body.file.id}$`));
  });

  it('the OpenAPI document lists the routes, the optional token and HEAD', async () => {
    const doc = (await request(world.app).get('/api/v1/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/storage/download/{file_id}',
        '/api/v1/storage/signed/{file_id}',
        '/api/v1/storage/stream/{file_id}',
        '/api/v1/storage/upload/resumable/init',
        '/api/v1/storage/upload/resumable/chunk',
        '/api/v1/storage/upload/resumable/{session_id}',
        '/api/v1/storage/tus',
        '/api/v1/storage/tus/{session_id}',
      ]),
    );
    expect(doc.paths['/api/v1/storage/stream/{file_id}'].head).toBeDefined();
    expect(Object.keys(doc.paths['/api/v1/storage/tus/{session_id}']).sort()).toEqual(['delete', 'head', 'patch']);
    expect((await request(world.app).options('/api/v1/storage/tus')).headers['tus-max-size']).toBe(String(100 * 1024 * 1024));
    expect(doc.paths['/api/v1/storage/download/{file_id}'].get.security).toEqual([{ bearerAuth: [] }, {}]);
  });
});
