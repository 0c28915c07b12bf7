import request from 'supertest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import * as tus from 'tus-js-client';
import { expectStandardError } from '../support/error-body';
import { resumableWorld } from '../support/resumable-world';
import { aToken, bearer } from '../support/tokens';

const CHUNK = 256 * 1024;
const aPdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(size - 9)]);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const TUS = { 'Tus-Resumable': '1.0.0' };

describe('tus 1.0 at /api/v1/storage/tus', () => {
  let world: Awaited<ReturnType<typeof resumableWorld>>;
  let server: http.Server;
  let endpoint: string;
  const owner = randomUUID();
  let token: string;

  beforeAll(async () => {
    world = await resumableWorld();
    server = http.createServer(world.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/storage/tus`;
    token = await aToken({ sub: owner });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await world.dispose();
  });

  function send(content: Buffer, options: Partial<tus.UploadOptions> = {}): Promise<string> {
    return new Promise((resolve, reject) => {
      const upload = new tus.Upload(content, {
        endpoint,
        headers: { Authorization: `Bearer ${token}` },
        metadata: { filename: 'book.pdf', filetype: 'application/pdf' },
        retryDelays: [],
        onError: reject,
        onSuccess: () => resolve(upload.url!),
        ...options,
      });
      upload.start();
    });
  }

  it('tus-js-client uploads a file in one PATCH; the file is created as by a direct upload', async () => {
    const content = aPdf(3 * CHUNK + 123);
    const url = await send(content);
    const sessionId = url.split('/').pop()!;
    const session = await world.sessions().findById(sessionId);
    expect(session?.status).toBe('completed');
    const file = await world.files().findById(session!.fileId);
    expect(file).toMatchObject({ originalName: 'book.pdf', mimeType: 'application/pdf', sizeBytes: content.length, checksumSha256: sha256(content) });
  });

  it('tus-js-client with chunkSize, interrupted and resumed from the server offset', async () => {
    const content = aPdf(4 * CHUNK);
    let url = '';
    await new Promise<void>((resolve, reject) => {
      const upload = new tus.Upload(content, {
        endpoint,
        headers: { Authorization: `Bearer ${token}` },
        metadata: { filename: 'part.pdf', filetype: 'application/pdf' },
        chunkSize: CHUNK,
        retryDelays: [],
        onError: reject,
        onChunkComplete: (_size, accepted) => {
          if (accepted >= 2 * CHUNK) {
            url = upload.url!;
            void upload.abort().then(() => resolve());
          }
        },
      });
      upload.start();
    });
    const head = await request(world.app).head(new URL(url).pathname).set(bearer(token)).set(TUS);
    expect(head.status).toBe(200);
    expect(head.headers['upload-offset']).toBe(String(2 * CHUNK));
    expect(head.headers['upload-length']).toBe(String(content.length));
    await send(content, { uploadUrl: url, chunkSize: CHUNK });
    const session = await world.sessions().findById(url.split('/').pop()!);
    expect((await world.files().findById(session!.fileId))?.checksumSha256).toBe(sha256(content));
  });

  it('OPTIONS announces the version, extensions and checksum algorithms', async () => {
    const res = await request(world.app).options('/api/v1/storage/tus');
    expect(res.status).toBe(204);
    expect(res.headers).toMatchObject({ 'tus-version': '1.0.0', 'tus-extension': 'creation,termination,checksum,expiration', 'tus-checksum-algorithm': 'md5,sha1' });
  });

  async function create(length: number): Promise<string> {
    const meta = `filename ${Buffer.from('x.pdf').toString('base64')},filetype ${Buffer.from('application/pdf').toString('base64')}`;
    const res = await request(world.app).post('/api/v1/storage/tus').set(bearer(token)).set(TUS).set('Upload-Length', String(length)).set('Upload-Metadata', meta);
    expect(res.status).toBe(201);
    expect(res.headers['upload-expires']).toEqual(expect.any(String));
    return res.headers.location as string;
  }
  const patch = (location: string, offset: number, body: Buffer, extra: Record<string, string> = {}) =>
    request(world.app).patch(location).set(bearer(token)).set(TUS).set('Content-Type', 'application/offset+octet-stream').set('Upload-Offset', String(offset)).set(extra).send(body);

  it('checksum: a wrong Upload-Checksum is 460 and nothing is kept; a right one is accepted', async () => {
    const content = aPdf(CHUNK + 10);
    const location = await create(content.length);
    const wrong = createHash('md5').update('other').digest('base64');
    expectStandardError(await patch(location, 0, content, { 'Upload-Checksum': `md5 ${wrong}` }), 460, 'TUS_CHECKSUM_MISMATCH');
    expect((await request(world.app).head(location).set(bearer(token)).set(TUS)).headers['upload-offset']).toBe('0');
    const right = createHash('sha1').update(content).digest('base64');
    const res = await patch(location, 0, content, { 'Upload-Checksum': `sha1 ${right}` });
    expect(res.status).toBe(204);
    expect(res.headers['upload-offset']).toBe(String(content.length));
  });

  it('a wrong offset is 409; a missing Tus-Resumable is 412; a wrong content type 415', async () => {
    const content = aPdf(CHUNK + 10);
    const location = await create(content.length);
    expectStandardError(await patch(location, 5, content), 409, 'CONFLICT');
    const noVersion = await request(world.app).head(location).set(bearer(token));
    expect(noVersion.status).toBe(412);
    expect(noVersion.headers['tus-version']).toBe('1.0.0');
    expectStandardError(await patch(location, 0, content, { 'Content-Type': 'application/octet-stream' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('termination: DELETE drops the upload; then 410', async () => {
    const location = await create(CHUNK * 2);
    expect((await patch(location, 0, aPdf(CHUNK))).headers['upload-offset']).toBe(String(CHUNK));
    expect((await request(world.app).delete(location).set(bearer(token)).set(TUS)).status).toBe(204);
    expect((await request(world.app).head(location).set(bearer(token)).set(TUS)).status).toBe(410);
  });

  it("expiration: past Upload-Expires the upload is 410; another user's upload is 404", async () => {
    const location = await create(CHUNK * 2);
    expect((await request(world.app).head(location).set(bearer(await aToken())).set(TUS)).status).toBe(404);
    world.clock.advance(3600_000);
    try {
      expect((await request(world.app).head(location).set(bearer(token)).set(TUS)).status).toBe(410);
    } finally {
      world.clock.advance(-3600_000);
    }
  });
});
