import request from 'supertest';
import { randomUUID } from 'node:crypto';
import type { SignedUrlOptions } from '../../src/application/ports/object-store.port';
import { binaryBody } from '../support/binary-body';
import { aFile } from '../support/file-builder';
import { expectStandardError } from '../support/error-body';
import { storageDeliveryWorld } from '../support/storage-delivery-world';
import { aToken, bearer } from '../support/tokens';

describe('GET /api/v1/storage/download/:file_id and the service-signed URL', () => {
  let world: Awaited<ReturnType<typeof storageDeliveryWorld>>;
  const owner = randomUUID();
  let auth: { Authorization: string };

  beforeAll(async () => {
    world = await storageDeliveryWorld();
    auth = bearer(await aToken({ sub: owner }));
  });
  afterAll(() => world.close());

  const aDocument = () => world.stored(aFile().ownedBy(owner).ofType('application/pdf').named('rapport.pdf').sized(300).build());
  const download = (id: string, query = '') => request(world.app).get(`/api/v1/storage/download/${id}${query}`).set(auth).redirects(0);
  const follow = (location: string) => request(world.app).get(location).buffer(true).parse(binaryBody);

  it('302 to a signed service URL that serves the file with the asked Content-Disposition', async () => {
    const { file, content } = await aDocument();
    const res = await download(file.id, '?disposition=attachment&filename=' + encodeURIComponent('résumé final.pdf'));
    expect(res.status).toBe(302);
    const expected = `attachment; filename="r_sum_ final.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20final.pdf`;
    expect(res.headers['content-disposition']).toBe(expected);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const location = res.headers.location as string;
    expect(location).toMatch(new RegExp(`^/api/v1/storage/signed/${file.id}\\?expires=\\d+&disposition=attachment&filename=.+&signature=`));
    const served = await follow(location);
    expect(served.status).toBe(200);
    expect(served.headers['content-disposition']).toBe(expected);
    expect(served.headers['content-type']).toBe('application/pdf');
    expect(Buffer.compare(served.body, content)).toBe(0);
    const ranged = await follow(location).set('Range', 'bytes=-10');
    expect(ranged.status).toBe(206);
  });

  it('defaults: attachment with the original name', async () => {
    const { file } = await aDocument();
    const res = await download(file.id);
    expect(res.headers['content-disposition']).toBe('attachment; filename="rapport.pdf"');
    expect((await follow(res.headers.location as string)).headers['content-disposition']).toBe('attachment; filename="rapport.pdf"');
  });

  it.each([
    ['the signature', (u: URL) => u.searchParams.set('signature', u.searchParams.get('signature')!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')))],
    ['the expiry', (u: URL) => u.searchParams.set('expires', String(Number(u.searchParams.get('expires')) + 3600))],
    ['the disposition', (u: URL) => u.searchParams.set('disposition', 'inline')],
    ['the file name', (u: URL) => u.searchParams.set('filename', 'other.html')],
  ])('a URL with %s changed: 403 INVALID_SIGNATURE', async (_what, tamper) => {
    const { file } = await aDocument();
    const res = await download(file.id, '?filename=a.pdf');
    const url = new URL(res.headers.location as string, 'http://x');
    tamper(url);
    expectStandardError(await request(world.app).get(url.pathname + url.search), 403, 'INVALID_SIGNATURE');
  });

  it('another file id under a valid signature: 403', async () => {
    const { file } = await aDocument();
    const { file: other } = await aDocument();
    const location = (await download(file.id)).headers.location as string;
    expectStandardError(await request(world.app).get(location.replace(file.id, other.id)), 403, 'INVALID_SIGNATURE');
  });

  it('an expired URL: 403 INVALID_SIGNATURE (reason expired)', async () => {
    const { file } = await aDocument();
    const location = (await download(file.id)).headers.location as string;
    world.clock.advance(3601_000);
    try {
      const error = expectStandardError(await request(world.app).get(location), 403, 'INVALID_SIGNATURE');
      expect(error.details).toEqual({ reason: 'expired' });
    } finally {
      world.clock.advance(-3601_000);
    }
  });

  it("a public file needs no token; someone else's private file is 404; no token on a private file is 401", async () => {
    const { file: open } = await world.stored({ ...aFile().ownedBy(owner).build(), isPublic: true });
    const anonymous = await request(world.app).get(`/api/v1/storage/download/${open.id}`).redirects(0);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers['cache-control']).toBe('public, max-age=3600');
    const { file } = await aDocument();
    expectStandardError(await request(world.app).get(`/api/v1/storage/download/${file.id}`).set(bearer(await aToken())), 404, 'FILE_NOT_FOUND');
    expectStandardError(await request(world.app).get(`/api/v1/storage/download/${file.id}`), 401, 'UNAUTHORIZED');
    expectStandardError(await request(world.app).get(`/api/v1/storage/download/${randomUUID()}`).set(auth), 404, 'FILE_NOT_FOUND');
  });

  it('an invalid disposition is a 400', async () => {
    const { file } = await aDocument();
    expectStandardError(await download(file.id, '?disposition=evil'), 400, 'VALIDATION_ERROR');
  });
});

describe('GET /api/v1/storage/download/:file_id with a provider that signs', () => {
  it('302 to the provider-signed URL, with the disposition passed to the provider', async () => {
    const asked: Array<{ key: string; options: SignedUrlOptions }> = [];
    const world = await storageDeliveryWorld({
      signer: { signedUrl: async (key, options) => (asked.push({ key, options }), `https://provider.example/${key}?sas=1`) },
    });
    try {
      const owner = randomUUID();
      const { file } = await world.stored(aFile().ownedBy(owner).named('a.pdf').ofType('application/pdf').build());
      const res = await request(world.app).get(`/api/v1/storage/download/${file.id}?disposition=inline`).set(bearer(await aToken({ sub: owner }))).redirects(0);
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe(`https://provider.example/${file.filePath}?sas=1`);
      expect(asked).toEqual([{ key: file.filePath, options: { expiresInSeconds: 3600, contentDisposition: 'inline; filename="a.pdf"', contentType: 'application/pdf' } }]);
    } finally {
      await world.close();
    }
  });
});
