import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { currentRun } from '../support/run-resources';
import { expectStandardError } from '../support/error-body';
import { anMp3, aPdf, aPng, aWav, someText } from '../support/media-fixtures';
import { filesUnder, md5, readAll, sha256, storageApp, upload } from '../support/storage-world';
import { aToken } from '../support/tokens';

let world: Awaited<ReturnType<typeof storageApp>>;
let sql: Client;

beforeAll(async () => {
  world = await storageApp({ MAX_FILE_SIZE: '200kb', STORAGE_QUOTA_PREMIUM: '100000', PUBLIC_BASE_URL: 'https://files.example.test/' });
  sql = new Client({ connectionString: currentRun().databaseUrl });
  await sql.connect();
});
afterAll(async () => {
  await sql.end();
  await world.cleanup();
});

const rowsOf = async (userId: string) => (await sql.query('SELECT * FROM files WHERE user_id = $1', [userId])).rows;

describe('POST /api/v1/storage/upload', () => {
  it('streams the file to the store and answers 201 with the seed body, checksums and urls', async () => {
    const user = randomUUID();
    const project = randomUUID();
    const content = aPng(4, 3);
    const res = await upload(world.app, await aToken({ sub: user }), content, {
      name: 'holiday photo.png',
      type: 'image/png',
      checksum: md5(content),
      metadata: { project_id: project, description: 'Beach', tags: ['summer'], is_public: true, auto_transform: false },
    });
    expect(res.status).toBe(201);
    const file = res.body.file;
    expect(file).toMatchObject({
      user_id: user,
      project_id: project,
      original_name: 'holiday photo.png',
      file_type: 'image',
      mime_type: 'image/png',
      size_bytes: content.length,
      checksum_md5: md5(content),
      checksum_sha256: sha256(content),
      storage_provider: 'local_disk',
      is_public: true,
      metadata: { description: 'Beach', tags: ['summer'], auto_transform: false },
    });
    expect(file.file_path).toBe(`users/${user}/projects/${project}/holiday_photo_${file.id}.png`);
    expect(res.body.upload).toMatchObject({ status: 'completed', upload_time_ms: expect.any(Number), transfer_rate_mbps: expect.any(Number) });
    expect(res.body.urls).toEqual({
      download: `https://files.example.test/api/v1/storage/download/${file.id}`,
      // Content-addressed: the version segment is the start of the content's SHA-256.
      cdn: `https://files.example.test/cdn/files/${file.id}/${sha256(content).slice(0, 16)}`,
      // An image: its thumbnail and preview are renditions (presets), there at once (issue 15).
      thumbnail: `https://files.example.test/cdn/render/${file.id}?preset=thumbnail`,
      preview: `https://files.example.test/cdn/render/${file.id}?preset=preview`,
    });
    expect(await readAll(await world.store.get(file.file_path))).toEqual(content);
    const [row] = await rowsOf(user);
    expect(row).toMatchObject({ id: file.id, size_bytes: String(content.length), checksum_sha256: sha256(content), backup_status: 'none' });
  });

  it('extracts PNG dimensions, PDF pages/title/author and WAV duration into file_metadata', async () => {
    const token = await aToken();
    const png = await upload(world.app, token, aPng(7, 5), { name: 'a.png', type: 'image/png' });
    const pdf = await upload(world.app, token, await aPdf(3, 'Mon Document', 'John Doe'), { name: 'doc.pdf', type: 'application/pdf' });
    const wav = await upload(world.app, token, aWav(2), { name: 'voice.wav', type: 'audio/wav' });
    expect([png.status, pdf.status, wav.status]).toEqual([201, 201, 201]);
    const metadataOf = async (id: string) => (await sql.query('SELECT metadata_type, metadata FROM file_metadata WHERE file_id = $1', [id])).rows;
    expect(await metadataOf(png.body.file.id)).toEqual([
      { metadata_type: 'dimensions', metadata: { width: 7, height: 5 } },
      // issue 15: what a client paints before the image arrives
      { metadata_type: 'placeholder', metadata: { blurhash: expect.any(String), dominant_color: expect.stringMatching(/^#[0-9a-f]{6}$/) } },
    ]);
    expect(await metadataOf(pdf.body.file.id)).toEqual([{ metadata_type: 'document', metadata: expect.objectContaining({ pages: 3, title: 'Mon Document', author: 'John Doe' }) }]);
    const [media] = await metadataOf(wav.body.file.id);
    expect(media.metadata_type).toBe('media');
    expect(media.metadata.duration_seconds).toBeCloseTo(2, 1);
    expect(media.metadata).toMatchObject({ sample_rate: 8_000, channels: 1 });
    expect(wav.body.file.mime_type).toBe('audio/wav');
  });

  it('extracts MP3 duration, codec and bitrate', async () => {
    const res = await upload(world.app, await aToken(), anMp3(100), { name: 'song.mp3', type: 'audio/mpeg' });
    expect(res.status).toBe(201);
    expect(res.body.file).toMatchObject({ mime_type: 'audio/mpeg', file_type: 'audio' });
    const [row] = (await sql.query('SELECT metadata_type, metadata FROM file_metadata WHERE file_id = $1', [res.body.file.id])).rows;
    expect(row.metadata_type).toBe('media');
    expect(row.metadata).toMatchObject({ codec: expect.stringMatching(/MPEG 1 Layer 3/), bitrate: 128_000, sample_rate: 44_100 });
    expect(row.metadata.duration_seconds).toBeCloseTo((100 * 1152) / 44_100, 1);
  });

  it('refuses an md5 mismatch with 422 CHECKSUM_MISMATCH and keeps nothing', async () => {
    const user = randomUUID();
    const res = await upload(world.app, await aToken({ sub: user }), someText(), { name: 'a.txt', type: 'text/plain', checksum: md5(Buffer.from('other')) });
    expectStandardError(res, 422, 'CHECKSUM_MISMATCH');
    expect(await rowsOf(user)).toEqual([]);
    expect(await filesUnder(`${world.root}/users/${user}`)).toEqual([]);
  });

  it('refuses a spoofed type (declared image/png, bytes of a PDF) with 415 INVALID_FILE_TYPE', async () => {
    const user = randomUUID();
    const res = await upload(world.app, await aToken({ sub: user }), await aPdf(1, 't', 'a'), { name: 'fake.png', type: 'image/png' });
    const error = expectStandardError(res, 415, 'INVALID_FILE_TYPE');
    expect(error.details).toMatchObject({ declared_mime_type: 'image/png', detected_mime_type: 'application/pdf' });
    expect(await rowsOf(user)).toEqual([]);
    expect(await filesUnder(`${world.root}/users/${user}`)).toEqual([]);
  });

  it('refuses unrecognisable binary content with 415', async () => {
    const res = await upload(world.app, await aToken(), randomBytes(500), { name: 'x.bin' });
    expectStandardError(res, 415, 'INVALID_FILE_TYPE');
  });

  it('refuses a file over MAX_FILE_SIZE with 413 FILE_TOO_LARGE and keeps nothing', async () => {
    const user = randomUUID();
    const res = await upload(world.app, await aToken({ sub: user }), someText(200 * 1024 + 1), { name: 'big.txt', type: 'text/plain' });
    expectStandardError(res, 413, 'FILE_TOO_LARGE');
    expect(await rowsOf(user)).toEqual([]);
    expect(await filesUnder(`${world.root}/users/${user}`)).toEqual([]);
  });

  it('accepts a file that fills the quota exactly and refuses one byte over with user_quota_remaining', async () => {
    const user = randomUUID();
    const token = await aToken({ sub: user, role: 'premium' });
    expect((await upload(world.app, token, someText(60_000), { name: 'a.txt', type: 'text/plain' })).status).toBe(201);
    const over = await upload(world.app, token, someText(40_001), { name: 'b.txt', type: 'text/plain' });
    const error = expectStandardError(over, 413, 'QUOTA_EXCEEDED');
    expect(error.details).toMatchObject({ user_quota_remaining: 40_000, file_size_bytes: 40_001 });
    expect((await upload(world.app, token, someText(40_000), { name: 'c.txt', type: 'text/plain' })).status).toBe(201);
    expect((await rowsOf(user)).length).toBe(2);
    expect((await filesUnder(`${world.root}/users/${user}`)).length).toBe(2);
  });

  it('lets only one of two concurrent uploads that together exceed the quota through', async () => {
    const user = randomUUID();
    const token = await aToken({ sub: user, role: 'premium' });
    const answers = await Promise.all([1, 2].map((n) => upload(world.app, token, someText(60_000), { name: `p${n}.txt`, type: 'text/plain' })));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 413]);
    expect((await rowsOf(user)).length).toBe(1);
    expect((await filesUnder(`${world.root}/users/${user}`)).length).toBe(1);
  });

  it('answers 409 DUPLICATE_FILE with the existing id when the user uploads the same content again', async () => {
    const token = await aToken();
    const content = someText();
    const first = await upload(world.app, token, content, { name: 'one.txt', type: 'text/plain' });
    const again = await upload(world.app, token, content, { name: 'two.txt', type: 'text/plain' });
    expect(expectStandardError(again, 409, 'DUPLICATE_FILE').details).toEqual({ existing_file_id: first.body.file.id });
    expect((await upload(world.app, await aToken(), content, { name: 'other-user.txt', type: 'text/plain' })).status).toBe(201);
  });

  it('strips traversal and control characters from the object key and the stored name', async () => {
    const user = randomUUID();
    const content = someText();
    // RFC 5987 filename*: the only way control characters reach busboy (raw ones are a malformed header).
    const name = encodeURIComponent('../../etc/pass\u0007wd\u001b\u202e.txt');
    const body = Buffer.concat([
      Buffer.from(`--XyZ\r\nContent-Disposition: form-data; name="file"; filename*=UTF-8''${name}\r\nContent-Type: text/plain\r\n\r\n`),
      content,
      Buffer.from('\r\n--XyZ--\r\n'),
    ]);
    const res = await request(world.app)
      .post('/api/v1/storage/upload')
      .set('Authorization', `Bearer ${await aToken({ sub: user })}`)
      .set('Content-Type', 'multipart/form-data; boundary=XyZ')
      .send(body);
    expect(res.status).toBe(201);
    expect(res.body.file.file_path).toBe(`users/${user}/projects/none/passwd_${res.body.file.id}.txt`);
    expect(res.body.file.original_name).toBe('passwd.txt');
    expect(await filesUnder(`${world.root}/users/${user}`)).toEqual([`projects/none/passwd_${res.body.file.id}.txt`]);
    expect(await filesUnder(`${world.root}/etc`)).toEqual([]);
  });

  it('accepts the metadata part after the file part', async () => {
    const project = randomUUID();
    const res = await upload(world.app, await aToken(), someText(), { name: 'late.txt', type: 'text/plain', metadata: { project_id: project, tags: ['x'] }, metadataLast: true });
    expect(res.status).toBe(201);
    expect(res.body.file).toMatchObject({ project_id: project, metadata: { tags: ['x'] } });
  });

  it('refuses invalid metadata with 400 and keeps nothing', async () => {
    const user = randomUUID();
    const res = await upload(world.app, await aToken({ sub: user }), someText(), { name: 'a.txt', type: 'text/plain', metadata: { project_id: 'proj_1', tags: 'x' } });
    expectStandardError(res, 400, 'VALIDATION_ERROR');
    expect(await rowsOf(user)).toEqual([]);
    expect(await filesUnder(`${world.root}/users/${user}`)).toEqual([]);
  });

  it('is documented in OpenAPI with its multipart form', async () => {
    const doc = (await request(world.app).get('/api/v1/openapi.json')).body;
    const form = doc.paths['/api/v1/storage/upload'].post.requestBody.content['multipart/form-data'].schema;
    expect(JSON.stringify(form)).toContain('UploadForm');
  });

  it('answers 400 without a file part, and 401 without a token', async () => {
    const noFile = await request(world.app).post('/api/v1/storage/upload').set('Authorization', `Bearer ${await aToken()}`).field('metadata', '{}');
    expectStandardError(noFile, 400, 'VALIDATION_ERROR');
    const anonymous = await request(world.app).post('/api/v1/storage/upload').attach('file', someText(), 'a.txt');
    expectStandardError(anonymous, 401, 'UNAUTHORIZED');
  });
});
