import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { expectStandardError } from '../support/error-body';
import { eventually } from '../support/eventually';
import { someText } from '../support/media-fixtures';
import { storageApp, upload } from '../support/storage-world';
import { TOKENS } from '../../src/infrastructure/tokens';
import type { UploadSlots } from '../../src/application/ports/upload-slots.port';
import { aToken, bearer } from '../support/tokens';

type World = Awaited<ReturnType<typeof storageApp>> & { server: http.Server };

async function aWorld(env: Record<string, string>, slots?: UploadSlots): Promise<World> {
  const world = await storageApp(env, undefined, slots ? { [TOKENS.UploadSlots]: slots } : {});
  const server = http.createServer(world.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { ...world, server };
}

async function dispose(world: World): Promise<void> {
  world.server.closeAllConnections();
  await new Promise((resolve) => world.server.close(resolve));
  await world.cleanup();
}

const HEAD = '--B\r\nContent-Disposition: form-data; name="file"; filename="notes.txt"\r\nContent-Type: text/plain\r\n\r\n';
const TAIL = '\r\n--B--\r\n';

/** A multipart upload whose body is sent in part and held open until `finish`; its answer whenever it comes. */
function heldUpload(world: World, token: string) {
  // Each its own content: the same bytes twice for one caller would be a 409.
  const content = Buffer.concat([Buffer.from(`${randomUUID()}\n`), someText(64 * 1024)]);
  const req = http.request({
    host: '127.0.0.1',
    port: (world.server.address() as AddressInfo).port,
    method: 'POST',
    path: '/api/v1/storage/upload',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'multipart/form-data; boundary=B', 'Content-Length': String(HEAD.length + content.length + TAIL.length) },
  });
  req.on('error', () => undefined);
  const answer = new Promise<number>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
  });
  req.write(HEAD);
  req.write(content.subarray(0, 1024));
  return {
    answer,
    finish: () => {
      req.end(Buffer.concat([content.subarray(1024), Buffer.from(TAIL)]));
      return answer;
    },
    /** The client goes away mid-body. */
    abort: () => req.destroy(),
  };
}

/** A tus PATCH of an upload that does not exist: 404 while the caller has a slot free, 429 once all are taken. */
const probe = (world: World, token: string) =>
  request(world.server)
    .patch(`/api/v1/storage/tus/${randomUUID()}`)
    .set(bearer(token))
    .set('Tus-Resumable', '1.0.0')
    .set('Upload-Offset', '0')
    .set('Content-Type', 'application/offset+octet-stream')
    .send(Buffer.from('x'));

const untilFull = (world: World, token: string) =>
  eventually('the held uploads to take their slots', async () => ((await probe(world, token)).status === 429 ? true : undefined));

describe('MAX_CONCURRENT_UPLOADS: upload requests in flight per caller', () => {
  let world: World;
  let peer: World;
  beforeAll(async () => {
    // Two instances over the same Redis (this run's key prefix): one count.
    [world, peer] = await Promise.all([aWorld({ MAX_CONCURRENT_UPLOADS: '2' }), aWorld({ MAX_CONCURRENT_UPLOADS: '2' })]);
  });
  afterAll(async () => {
    await Promise.all([dispose(world), dispose(peer)]);
  });

  it('answers 429 UPLOAD_LIMIT_EXCEEDED with Retry-After past the limit, on every upload route, and takes nothing in', async () => {
    const user = randomUUID();
    const token = await aToken({ sub: user });
    const held = [heldUpload(world, token), heldUpload(world, token)];
    await untilFull(world, token);

    const direct = await upload(world.app, token, someText(2048), { name: 'third.txt', type: 'text/plain' });
    const error = expectStandardError(direct, 429, 'UPLOAD_LIMIT_EXCEEDED');
    expect(error.details).toMatchObject({ limit: 2, retry_after: expect.any(Number) });
    expect(Number(direct.headers['retry-after'])).toBeGreaterThan(0);

    const created = await request(world.server)
      .post('/api/v1/storage/tus')
      .set(bearer(token))
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', '2048')
      .set('Upload-Metadata', `filename ${Buffer.from('a.txt').toString('base64')},filetype ${Buffer.from('text/plain').toString('base64')}`);
    // Creating an upload sends no body: not counted.
    expect(created.status).toBe(201);
    const patch = await request(world.server)
      .patch(new URL(created.headers.location!, 'http://x').pathname)
      .set(bearer(token))
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Offset', '0')
      .set('Content-Type', 'application/offset+octet-stream')
      .send(someText(2048));
    expectStandardError(patch, 429, 'UPLOAD_LIMIT_EXCEEDED');
    const head = await request(world.server).head(new URL(created.headers.location!, 'http://x').pathname).set(bearer(token)).set('Tus-Resumable', '1.0.0');
    expect(head.headers['upload-offset']).toBe('0');

    const init = await request(world.server)
      .post('/api/v1/storage/upload/resumable/init')
      .set(bearer(token))
      .send({ filename: 'b.txt', file_size: 2048, mime_type: 'text/plain', chunk_size: 1024 * 1024 });
    expect(init.status).toBe(201);
    const chunk = await request(world.server)
      .put('/api/v1/storage/upload/resumable/chunk')
      .set(bearer(token))
      .set('X-Upload-Session', init.body.upload_session.session_id)
      .set('X-Chunk-Index', '0')
      .set('Content-Type', 'application/octet-stream')
      .send(someText(2048));
    expectStandardError(chunk, 429, 'UPLOAD_LIMIT_EXCEEDED');

    // Another caller is not held back by this one's uploads.
    const other = await upload(world.app, await aToken({ sub: randomUUID() }), someText(2048), { name: 'other.txt', type: 'text/plain' });
    expect(other.status).toBe(201);

    expect(await Promise.all(held.map((h) => h.finish()))).toEqual([201, 201]);
    const after = await upload(world.app, token, someText(3000), { name: 'after.txt', type: 'text/plain' });
    expect(after.status).toBe(201);
    const files = await request(world.server).get('/api/v1/storage/files').set(bearer(token));
    expect(files.status).toBe(200);
    expect(JSON.stringify(files.body)).not.toContain('third.txt');
  });

  it('gives the slot back when an upload fails or its client goes away', async () => {
    const token = await aToken({ sub: randomUUID() });
    const rejected = await upload(world.app, token, someText(2048), { name: 'x.txt', type: 'text/plain', checksum: '0'.repeat(32) });
    expect(rejected.status).toBe(422);
    const gone = heldUpload(world, token);
    const kept = heldUpload(world, token);
    await untilFull(world, token);
    gone.abort();
    await eventually('the slot of the abandoned upload to come back', async () => ((await probe(world, token)).status === 404 ? true : undefined));
    expect(await kept.finish()).toBe(201);
  });

  it('counts across instances sharing Redis', async () => {
    const token = await aToken({ sub: randomUUID() });
    const held = [heldUpload(world, token), heldUpload(world, token)];
    await untilFull(world, token);
    const onPeer = await upload(peer.app, token, someText(2048), { name: 'peer.txt', type: 'text/plain' });
    expectStandardError(onPeer, 429, 'UPLOAD_LIMIT_EXCEEDED');
    await Promise.all(held.map((h) => h.finish()));
    const later = await upload(peer.app, token, someText(2048), { name: 'peer.txt', type: 'text/plain' });
    expect(later.status).toBe(201);
  });
});

describe('MAX_CONCURRENT_UPLOADS without Redis', () => {
  it('counts in the process', async () => {
    const world = await aWorld({ MAX_CONCURRENT_UPLOADS: '1', REDIS_URL: undefined as unknown as string });
    try {
      const token = await aToken({ sub: randomUUID() });
      const held = heldUpload(world, token);
      await untilFull(world, token);
      expectStandardError(await upload(world.app, token, someText(2048), { name: 'n.txt', type: 'text/plain' }), 429, 'UPLOAD_LIMIT_EXCEEDED');
      expect(await held.finish()).toBe(201);
    } finally {
      await dispose(world);
    }
  });
});

describe('MAX_CONCURRENT_UPLOADS when the shared count cannot be reached', () => {
  it('lets uploads through (the limit degrades, uploads do not)', async () => {
    let asked = 0;
    const unreachable: UploadSlots = {
      tryAcquire: async () => {
        asked++;
        throw new Error('Redis is down');
      },
      close: async () => undefined,
    };
    const world = await aWorld({ MAX_CONCURRENT_UPLOADS: '1' }, unreachable);
    try {
      const token = await aToken({ sub: randomUUID() });
      const first = heldUpload(world, token);
      // The first upload is past the limit's check (and would hold the only slot) before the second starts.
      await eventually('the first upload to ask for its slot', () => (asked >= 1 ? true : undefined));
      const second = await upload(world.app, token, someText(2048), { name: 'through.txt', type: 'text/plain' });
      expect(second.status).toBe(201);
      expect(await first.finish()).toBe(201);
      expect(asked).toBe(2);
    } finally {
      await dispose(world);
    }
  });
});
