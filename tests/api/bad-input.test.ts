import { randomBytes, randomUUID } from 'node:crypto';
import zlib from 'node:zlib';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import request from 'supertest';
import { listen } from '../../src/infrastructure/http-server';
import { expectStandardError } from '../support/error-body';
import { rawExchange } from '../support/raw-http';
import { currentRun } from '../support/run-resources';
import { filesUnder, storageApp, upload } from '../support/storage-world';
import { aToken, bearer } from '../support/tokens';
import { aKey, aProjectRow, aUserRow, insert, redis, transaction } from '../support/transaction-requests';

/**
 * Malformed input that used to reach code unprepared for it and answer 500: each is now a 4xx with
 * the standard body, and nothing of the request is stored (no row, no object, no Redis key).
 */
describe('malformed input', () => {
  let t: Awaited<ReturnType<typeof storageApp>>;
  let sql: Client;
  let raw: Redis;
  const user = { id: randomUUID(), token: '' };
  let admin = '';
  let fileId = '';
  const api = () => request(t.app);
  const count = async (query: string, params: unknown[]) => (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${query}`, params)).rows[0]!.n;
  const objectsOfUser = async () => (await filesUnder(t.root)).filter((f) => f.includes(user.id));
  const text = (label: string) => Buffer.from(`plain text for ${label} ${randomBytes(8).toString('hex')}\n`);

  beforeAll(async () => {
    t = await storageApp();
    sql = new Client({ connectionString: currentRun().databaseUrl });
    await sql.connect();
    raw = new Redis(currentRun().redisUrl, { keyPrefix: currentRun().keyPrefix, maxRetriesPerRequest: 1 });
    [user.token, admin] = await Promise.all([aToken({ sub: user.id }), aToken({ role: 'admin' })]);
    await transaction(t.app, user.token, [insert('users', aUserRow())]).expect(200);
    const stored = await upload(t.app, user.token, text('the fixture'), { name: 'fixture.txt', type: 'text/plain', metadata: { custom_fields: { kept: 'yes' } } }).expect(201);
    fileId = stored.body.file.id;
  });
  afterAll(async () => {
    raw.disconnect();
    await sql.end();
    await t.cleanup();
  });

  describe('a path parameter that is not valid percent-encoding', () => {
    it.each([
      ['get', '/api/v1/storage/files/%zz'],
      ['put', '/api/v1/storage/files/%'],
      ['delete', '/api/v1/storage/files/%%'],
      ['post', '/api/v1/storage/files/%ff%fe/restore'],
      ['get', '/api/v1/storage/download/%zz'],
      ['get', '/api/v1/storage/transform/%'],
      ['get', '/api/v1/storage/upload/resumable/%zz'],
      ['get', '/api/v1/contracts/user/%zz'],
      ['post', '/api/v1/connections/%zz/begin'],
      ['delete', '/api/v1/storage/tus/%ff%fe'],
      ['get', '/cdn/files/%zz/0123456789abcdef'],
    ] as const)('%s %s is 400 VALIDATION_ERROR', async (method, path) => {
      const res = await api()[method](path).set(bearer(admin));
      expect(expectStandardError(res, 400, 'VALIDATION_ERROR').details).toEqual({ issues: [{ path: 'params', message: expect.stringMatching(/decode/) }] });
    });

    it.each(['/api/v1/storage/stream/%zz', '/api/v1/storage/tus/%', '/cdn/thumbnails/%%'])('HEAD %s is 400 with its X-Request-ID', async (path) => {
      const res = await api().head(path).set(bearer(admin)).set('Tus-Resumable', '1.0.0');
      expect(res.status).toBe(400);
      expect(res.headers['x-request-id']).toEqual(expect.any(String));
    });
  });

  describe('Content-Encoding of a JSON body', () => {
    const newProject = () => aProjectRow({ title: `encoded ${randomBytes(6).toString('hex')}` });
    const projects = (title: string) => count('projects WHERE title = $1', [title]);
    const encodedTransaction = (encoding: string, body: Buffer | string) =>
      api()
        .post('/api/v1/data/transaction')
        .set(bearer(user.token))
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', encoding)
        // superagent would serialize a Buffer as JSON: send the bytes as they are.
        .serialize((bytes: unknown) => bytes as string)
        .send(body);

    it.each([
      ['gzip', zlib.gzipSync],
      ['deflate', zlib.deflateSync],
      ['br', zlib.brotliCompressSync],
    ] as const)('inflates a %s body', async (encoding, compress) => {
      const project = newProject();
      const body = JSON.stringify({ operations: [insert('projects', project)] });
      await encodedTransaction(encoding, compress(Buffer.from(body))).expect(200);
      await expect(projects(project.title)).resolves.toBe(1);
    });

    it.each(['gzip', 'deflate', 'br'])('answers 400 MALFORMED_JSON to a body that is not really %s, and stores nothing', async (encoding) => {
      const project = newProject();
      const res = await encodedTransaction(encoding, JSON.stringify({ operations: [insert('projects', project)] }));
      expect(expectStandardError(res, 400, 'MALFORMED_JSON').details).toEqual({ content_encoding: encoding });
      await expect(projects(project.title)).resolves.toBe(0);
    });

    it.each(['zstd', 'identity, foo', 'compress'])('answers 415 UNSUPPORTED_MEDIA_TYPE to Content-Encoding %s', async (encoding) => {
      const project = newProject();
      const res = await encodedTransaction(encoding, JSON.stringify({ operations: [insert('projects', project)] }));
      expect(expectStandardError(res, 415, 'UNSUPPORTED_MEDIA_TYPE').details).toEqual({ content_encoding: encoding, supported: ['identity', 'gzip', 'deflate', 'br'] });
      await expect(projects(project.title)).resolves.toBe(0);
    });
  });

  describe('text PostgreSQL cannot store: NUL and lone surrogates', () => {
    const issuesOf = (res: request.Response) => expectStandardError(res, 400, 'VALIDATION_ERROR').details.issues;
    const sessions = () => count('upload_sessions WHERE user_id = $1', [user.id]);

    it('refuses a NUL in the query string', async () => {
      const res = await api().get('/api/v1/storage/files?search=%00').set(bearer(user.token));
      expect(issuesOf(res)).toEqual([{ path: 'query.search', message: expect.stringMatching(/NUL/) }]);
    });

    it('refuses a NUL percent-encoded in the path', async () => {
      const res = await api().get('/api/v1/storage/files/%00').set(bearer(user.token));
      expect(issuesOf(res)).toEqual([{ path: 'path', message: expect.stringMatching(/NUL/) }]);
    });

    it('refuses a NUL in tus Upload-Metadata, and opens no session', async () => {
      const before = await sessions();
      const res = await api()
        .post('/api/v1/storage/tus')
        .set(bearer(user.token))
        .set('Tus-Resumable', '1.0.0')
        .set('Upload-Length', '10')
        .set('Upload-Metadata', `filename ${Buffer.from('a\u0000b').toString('base64')}`);
      expect(issuesOf(res)).toEqual([{ path: 'headers.upload-metadata.filename', message: expect.stringMatching(/NUL/) }]);
      await expect(sessions()).resolves.toBe(before);
    });

    it.each([
      [{ mime_type: '\u0000' }, 'body.mime_type', /NUL/],
      [{ metadata: { description: 'x\ud800' } }, 'body.metadata.description', /surrogate/],
      [{ metadata: { custom_fields: { ['k\u0000']: 1 } } }, 'body.metadata.custom_fields.k\uFFFD', /NUL/],
    ])('refuses resumable init with %j, and opens no session', async (extra, path, message) => {
      const before = await sessions();
      const res = await api()
        .post('/api/v1/storage/upload/resumable/init')
        .set(bearer(user.token))
        .send({ filename: 'a.bin', file_size: 10, mime_type: 'application/octet-stream', ...extra });
      expect(issuesOf(res)).toEqual([{ path, message: expect.stringMatching(message) }]);
      await expect(sessions()).resolves.toBe(before);
    });

    it('refuses a NUL key in transformation parameters, and queues nothing', async () => {
      const res = await api()
        .post('/api/v1/storage/transform')
        .set(bearer(user.token))
        .send({ source_file_id: fileId, transformation_type: 'text_extract', parameters: { '\u0000': 1 } });
      expect(issuesOf(res)).toEqual([{ path: 'body.parameters.\uFFFD', message: expect.stringMatching(/NUL/) }]);
      await expect(count('file_transformations WHERE source_file_id = $1', [fileId])).resolves.toBe(0);
    });

    it.each([
      [{ description: 'a\u0000b' }, 'body.metadata.description', /NUL/],
      [{ custom_fields: { k: '\udc00' } }, 'body.metadata.custom_fields.k', /surrogate/],
    ])('refuses an upload whose metadata part holds %j, and keeps neither row nor object', async (metadata, path, message) => {
      const res = await upload(t.app, user.token, text('refused metadata'), { name: 'refused.txt', type: 'text/plain', metadata });
      expect(issuesOf(res)).toEqual([{ path, message: expect.stringMatching(message) }]);
      await expect(count('files WHERE user_id = $1', [user.id])).resolves.toBe(1);
      await expect(objectsOfUser()).resolves.toHaveLength(1);
    });

    it.each([
      [{ custom_fields: { ['\u0000']: 'x' } }, 'body.metadata.custom_fields.\uFFFD', /NUL/],
      [{ custom_fields: { k: '\ud800' } }, 'body.metadata.custom_fields.k', /surrogate/],
      [{ description: '\u0000' }, 'body.metadata.description', /NUL/],
    ])('refuses PUT metadata %j and leaves the file as it was', async (metadata, path, message) => {
      const res = await api().put(`/api/v1/storage/files/${fileId}`).set(bearer(user.token)).send({ metadata });
      expect(issuesOf(res)).toEqual([{ path, message: expect.stringMatching(message) }]);
      const row = await sql.query<{ metadata: Record<string, unknown> }>('SELECT metadata FROM files WHERE id = $1', [fileId]);
      expect(row.rows[0]!.metadata.custom_fields).toEqual({ kept: 'yes' });
    });

    it.each([
      ['set', { value: 'a\u0000b' }, 'body.operations.0.value', /NUL/],
      ['hset', { fields: { f: '\ud800' } }, 'body.operations.0.fields.f', /surrogate/],
    ] as const)('refuses a Redis %s holding unstorable text in a transaction, and writes no key', async (operation, extra, path, message) => {
      const key = aKey(operation);
      const res = await transaction(t.app, user.token, [redis(operation, key, extra)]);
      expect(issuesOf(res)).toEqual([{ path, message: expect.stringMatching(message) }]);
      await expect(raw.exists(`data:user:${user.id}:${key}`)).resolves.toBe(0);
    });

    it('still stores emoji and other characters outside the BMP (well-formed surrogate pairs)', async () => {
      const project = aProjectRow({ title: `emoji 😀 ${randomBytes(4).toString('hex')}`, settings: { mood: '😀🎉' } });
      await transaction(t.app, user.token, [insert('projects', project)]).expect(200);
      await expect(count('projects WHERE title = $1', [project.title])).resolves.toBe(1);
    });
  });

  describe('JSON nested deeper than 32 levels', () => {
    /** `{"a":{"a":…1…}}`: `levels` objects, as text (JSON.stringify itself would overflow on the deep ones). */
    const nestedText = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    const deepIssue = (res: request.Response) => {
      const issues = expectStandardError(res, 400, 'VALIDATION_ERROR').details.issues as Array<{ path: string; message: string }>;
      expect(issues).toEqual([{ path: expect.any(String), message: expect.stringMatching(/deeper than 32 levels/) }]);
      return issues[0]!.path;
    };
    const projectWithSettings = (title: string, settingsLevels: number) =>
      api()
        .post('/api/v1/data/transaction')
        .set(bearer(user.token))
        .set('Content-Type', 'application/json')
        .send(`{"operations":[{"database":"postgresql","operation":"insert","table":"projects","data":{"title":"${title}","settings":${nestedText(settingsLevels)}}}]}`);

    it('refuses 10,000 levels (about 60 KB) in a transaction, and stores nothing', async () => {
      const title = `deep ${randomBytes(6).toString('hex')}`;
      expect(deepIssue(await projectWithSettings(title, 10_000))).toMatch(/^body\.operations\.0\.data\.settings(\.a)+$/);
      await expect(count('projects WHERE title = $1', [title])).resolves.toBe(0);
    });

    it('counts the body itself: 32 levels in all are stored, 33 are refused', async () => {
      // body, operations, the operation, data: 4 levels before settings.
      const [fits, over] = [`depth32 ${randomBytes(6).toString('hex')}`, `depth33 ${randomBytes(6).toString('hex')}`];
      await projectWithSettings(fits, 28).expect(200);
      deepIssue(await projectWithSettings(over, 29));
      await expect(count('projects WHERE title = ANY($1)', [[fits, over]])).resolves.toBe(1);
    });

    it('refuses deep transformation parameters', async () => {
      const res = await api()
        .post('/api/v1/storage/transform')
        .set(bearer(user.token))
        .set('Content-Type', 'application/json')
        .send(`{"source_file_id":"${fileId}","transformation_type":"text_extract","parameters":{"p":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`);
      expect(deepIssue(res)).toMatch(/^body\.parameters\.p(\.0)+$/);
      await expect(count('file_transformations WHERE source_file_id = $1', [fileId])).resolves.toBe(0);
    });

    it('refuses deep file metadata on PUT', async () => {
      const res = await api()
        .put(`/api/v1/storage/files/${fileId}`)
        .set(bearer(user.token))
        .set('Content-Type', 'application/json')
        .send(`{"metadata":{"custom_fields":${nestedText(10_000)}}}`);
      expect(deepIssue(res)).toMatch(/^body\.metadata\.custom_fields(\.a)+$/);
    });

    it('refuses a deep multipart metadata field, and keeps neither row nor object', async () => {
      const res = await api()
        .post('/api/v1/storage/upload')
        .set(bearer(user.token))
        .field('metadata', `{"custom_fields":${nestedText(5_000)}}`)
        .attach('file', text('deep metadata'), { filename: 'deep.txt', contentType: 'text/plain' });
      expect(deepIssue(res)).toMatch(/^body\.metadata\.custom_fields(\.a)+$/);
      await expect(count('files WHERE user_id = $1', [user.id])).resolves.toBe(1);
      await expect(objectsOfUser()).resolves.toHaveLength(1);
    });
  });

  describe('a multipart body that ends without its closing boundary', () => {
    const boundary = 'cut-form-boundary';
    const metadataPart = `--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{"description":"cut"}\r\n`;
    const filePart = (content: Buffer) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.txt"\r\nContent-Type: text/plain\r\n\r\n${content.toString('utf8')}`;
    const send = (body: string) =>
      api().post('/api/v1/storage/upload').set(bearer(user.token)).set('Content-Type', `multipart/form-data; boundary=${boundary}`).send(body);

    it('stores the whole form, as a control', async () => {
      await send(`${metadataPart}${filePart(text('whole form'))}\r\n--${boundary}--\r\n`).expect(201);
      await expect(count('files WHERE user_id = $1', [user.id])).resolves.toBe(2);
    });

    it.each([
      ['in the middle of the file', (content: Buffer) => `${metadataPart}${filePart(content)}`],
      ['right after the file part, before the final "--"', (content: Buffer) => `${metadataPart}${filePart(content)}\r\n--${boundary}`],
      // busboy has ended the file part here: the upload must still wait for the form to end properly.
      ['after the file part, where another part would begin', (content: Buffer) => `${metadataPart}${filePart(content)}\r\n--${boundary}\r\n`],
      ['with the metadata part after the file, cut inside it', (content: Buffer) => `${filePart(content)}\r\n${metadataPart.slice(0, 40)}`],
    ])('is 400 VALIDATION_ERROR when cut %s, and keeps neither row nor object', async (_where, body) => {
      const [rowsBefore, objectsBefore] = [await count('files WHERE user_id = $1', [user.id]), (await objectsOfUser()).length];
      const res = await send(body(text('cut form')));
      expect(expectStandardError(res, 400, 'VALIDATION_ERROR').details).toEqual({ issues: [{ path: 'body', message: 'Unexpected end of form' }] });
      await expect(count('files WHERE user_id = $1', [user.id])).resolves.toBe(rowsBefore);
      await expect(objectsOfUser()).resolves.toHaveLength(objectsBefore);
    });

    it('stores nothing when the form is cut after a file part that had time to be stored', async () => {
      // Over a socket, with a pause after the file part: the upload has all its bytes well before the
      // body turns out truncated, and must still wait for the form to end properly.
      const server = await listen(t.app, 0, '127.0.0.1', { serviceName: t.config.serviceName });
      try {
        const [rowsBefore, objectsBefore] = [await count('files WHERE user_id = $1', [user.id]), (await objectsOfUser()).length];
        const first = `${metadataPart}${filePart(text('paused form'))}\r\n--${boundary}\r\n`;
        const rest = 'Content-Disposition: form-da';
        const head = [
          'POST /api/v1/storage/upload HTTP/1.1',
          'Host: localhost',
          `Authorization: Bearer ${user.token}`,
          `Content-Type: multipart/form-data; boundary=${boundary}`,
          `Content-Length: ${Buffer.byteLength(first + rest)}`,
          'Connection: close',
        ].join('\r\n');
        const res = await rawExchange(server.port, `${head}\r\n\r\n${first}`, { chunks: [rest], gapMs: 300 });
        expect(res.status).toBe(400);
        expect(res.json).toMatchObject({ error: { code: 'VALIDATION_ERROR', details: { issues: [{ path: 'body', message: 'Unexpected end of form' }] } } });
        await expect(count('files WHERE user_id = $1', [user.id])).resolves.toBe(rowsBefore);
        await expect(objectsOfUser()).resolves.toHaveLength(objectsBefore);
      } finally {
        await server.stop(1_000);
      }
    });
  });
});
