import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { binaryBody } from '../support/binary-body';
import { aFile } from '../support/file-builder';
import { expectStandardError } from '../support/error-body';
import { storageDeliveryWorld } from '../support/storage-delivery-world';
import { aToken, bearer } from '../support/tokens';

describe('GET/HEAD /api/v1/storage/stream/:file_id (HTTP Range)', () => {
  let world: Awaited<ReturnType<typeof storageDeliveryWorld>>;
  const owner = randomUUID();
  let auth: { Authorization: string };

  beforeAll(async () => {
    world = await storageDeliveryWorld();
    auth = bearer(await aToken({ sub: owner }));
  });
  afterAll(() => world.close());

  const aVideo = (size = 1000) => world.stored(aFile().ownedBy(owner).ofType('video/mp4').named('clip.mp4').sized(size).build());
  const stream = (id: string) => request(world.app).get(`/api/v1/storage/stream/${id}`).set(auth).buffer(true).parse(binaryBody);

  it('without Range: 200, the whole file, its type, validators and Accept-Ranges', async () => {
    const { file, content } = await aVideo();
    const res = await stream(file.id);
    expect(res.status).toBe(200);
    expect(Buffer.compare(res.body, content)).toBe(0);
    expect(res.headers).toMatchObject({
      'content-type': 'video/mp4',
      'content-length': '1000',
      'accept-ranges': 'bytes',
      etag: `"${file.checksumSha256}"`,
      'last-modified': file.createdAt.toUTCString(),
      'x-content-type-options': 'nosniff',
    });
  });

  it.each([
    ['bytes=0-99', 0, 99],
    ['bytes=900-', 900, 999],
    ['bytes=-100', 900, 999],
    ['bytes=-5000', 0, 999],
    ['bytes=990-5000', 990, 999],
  ])('%s: 206 with Content-Range and exactly those bytes', async (range, start, end) => {
    const { file, content } = await aVideo();
    const res = await stream(file.id).set('Range', range);
    expect(res.status).toBe(206);
    expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/1000`);
    expect(res.headers['content-length']).toBe(String(end - start + 1));
    expect(Buffer.compare(res.body, content.subarray(start, end + 1))).toBe(0);
  });

  it.each(['bytes=1000-', 'bytes=5000-6000', 'bytes=-0'])('%s: 416 with Content-Range bytes */size and the standard body', async (range) => {
    const { file } = await aVideo();
    const res = await request(world.app).get(`/api/v1/storage/stream/${file.id}`).set(auth).set('Range', range);
    expectStandardError(res, 416, 'RANGE_NOT_SATISFIABLE');
    expect(res.headers['content-range']).toBe('bytes */1000');
  });

  it('several ranges: the whole file (200), as documented', async () => {
    const { file, content } = await aVideo();
    const res = await stream(file.id).set('Range', 'bytes=0-1,5-9');
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(content.length);
  });

  it('If-Range: a matching ETag or date keeps the range; a stale one gets the whole file', async () => {
    const { file } = await aVideo();
    expect((await stream(file.id).set('Range', 'bytes=0-9').set('If-Range', `"${file.checksumSha256}"`)).status).toBe(206);
    expect((await stream(file.id).set('Range', 'bytes=0-9').set('If-Range', file.createdAt.toUTCString())).status).toBe(206);
    const stale = await stream(file.id).set('Range', 'bytes=0-9').set('If-Range', '"something-else"');
    expect(stale.status).toBe(200);
    expect(stale.body.length).toBe(1000);
    expect((await stream(file.id).set('Range', 'bytes=0-9').set('If-Range', 'Mon, 01 Jan 2001 00:00:00 GMT')).status).toBe(200);
  });

  it('If-None-Match with the ETag: 304 without a body', async () => {
    const { file } = await aVideo();
    const res = await stream(file.id).set('If-None-Match', `"${file.checksumSha256}"`);
    expect(res.status).toBe(304);
    expect(res.headers.etag).toBe(`"${file.checksumSha256}"`);
  });

  it('HEAD: the headers of GET (with Range too), no body', async () => {
    const { file } = await aVideo();
    const full = await request(world.app).head(`/api/v1/storage/stream/${file.id}`).set(auth);
    expect(full.status).toBe(200);
    expect(full.headers['content-length']).toBe('1000');
    expect(full.headers['accept-ranges']).toBe('bytes');
    const ranged = await request(world.app).head(`/api/v1/storage/stream/${file.id}`).set(auth).set('Range', 'bytes=-10');
    expect(ranged.status).toBe(206);
    expect(ranged.headers['content-range']).toBe('bytes 990-999/1000');
  });

  it('a zero-length file: 200 empty without Range, 416 for bytes=0-', async () => {
    const { file } = await world.stored(aFile().ownedBy(owner).ofType('text/plain').build(), Buffer.alloc(0));
    const whole = await stream(file.id);
    expect(whole.status).toBe(200);
    expect(whole.headers['content-length']).toBe('0');
    const res = await request(world.app).get(`/api/v1/storage/stream/${file.id}`).set(auth).set('Range', 'bytes=0-');
    expectStandardError(res, 416, 'RANGE_NOT_SATISFIABLE');
    expect(res.headers['content-range']).toBe('bytes */0');
  });

  it('a range is read from the provider, never the whole object', async () => {
    const { file } = await aVideo(100_000);
    const reads: unknown[] = [];
    const original = world.store.get.bind(world.store);
    world.store.get = async (key, range) => {
      reads.push(range);
      return original(key, range);
    };
    try {
      await stream(file.id).set('Range', 'bytes=10-19');
    } finally {
      world.store.get = original;
    }
    expect(reads).toEqual([{ start: 10, end: 19 }]);
  });

  it("someone else's file is 404; without a token 401; a public file needs no token", async () => {
    const { file } = await aVideo();
    const stranger = bearer(await aToken());
    expectStandardError(await request(world.app).get(`/api/v1/storage/stream/${file.id}`).set(stranger), 404, 'FILE_NOT_FOUND');
    expectStandardError(await request(world.app).get(`/api/v1/storage/stream/${file.id}`), 401, 'UNAUTHORIZED');
    const admin = bearer(await aToken({ role: 'admin' }));
    expect((await request(world.app).get(`/api/v1/storage/stream/${file.id}`).set(admin)).status).toBe(200);
    const { file: open } = await world.stored({ ...aFile().ownedBy(owner).build(), isPublic: true });
    expect((await request(world.app).get(`/api/v1/storage/stream/${open.id}`).set('Range', 'bytes=0-0')).status).toBe(206);
    expectStandardError(await request(world.app).get(`/api/v1/storage/stream/${open.id}`).set(bearer('not.a.token')), 401, 'UNAUTHORIZED');
  });
});
