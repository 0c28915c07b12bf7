import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { HEADER_BYTES, SEGMENT_CIPHERTEXT_BYTES, SEGMENT_PLAINTEXT_BYTES as S, ciphertextSize } from '../../src/domain/crypto/segmented-format';
import type { EncryptionJobRunner } from '../../src/application/storage/encryption/encryption-job-runner';
import { TOKENS } from '../../src/infrastructure/tokens';
import { LocalDiskObjectStore } from '../../src/adapters/object-store/local-disk-object-store';
import os from 'node:os';
import { binaryBody } from '../support/binary-body';
import { expectStandardError } from '../support/error-body';
import { eventually } from '../support/eventually';
import { scratchDatabase } from '../support/scratch-database';
import { aFile } from '../support/file-builder';
import type { FileRepository } from '../../src/application/ports/file-repository.port';
import { sha256, storageApp, upload } from '../support/storage-world';
import { aToken, bearer } from '../support/tokens';

/**
 * Files encrypted at rest over the wired app, a disk store and a PostgreSQL database of its own (the
 * rotation and encrypt-existing jobs walk every file of the database).
 */
const keyOf = (id: string) => createHash('sha256').update(`api-test-master-${id}`).digest('base64');
const K1 = `k1:${keyOf('k1')}`;
const K2 = `k2:${keyOf('k2')}`;

type World = Awaited<ReturnType<typeof storageApp>>;
let db: Awaited<ReturnType<typeof scratchDatabase>>;
let sql: Client;
let world: World;
const owner = randomUUID();
let auth: { Authorization: string };
let admin: { Authorization: string };

/** Text the sniffer accepts as text/plain, `size` bytes, different every call (no dedup). */
const someText = (size: number) => Buffer.from(randomBytes(Math.ceil(size / 2)).toString('hex').slice(0, size));

async function appWith(env: Record<string, string>): Promise<World> {
  // Same database and same disk folder as the main app: another process of the same deployment.
  return storageApp({ DATABASE_URL: db.url, ...env }, world.store);
}

async function uploadText(app: World, content: Buffer) {
  const res = await upload(app.app, auth.Authorization.slice(7), content, { name: 'notes.txt', type: 'text/plain' });
  expect(res.status).toBe(201);
  return res.body.file as { id: string; file_path: string; size_bytes: number; checksum_sha256: string };
}

const stream = (app: World, id: string, range?: string) => {
  const req = request(app.app).get(`/api/v1/storage/stream/${id}`).set(auth).buffer(true).parse(binaryBody);
  return range ? req.set('Range', range) : req;
};
const rowOf = async (id: string) => (await sql.query('SELECT * FROM files WHERE id = $1', [id])).rows[0];
const objectOf = (app: World, key: string) => path.join(app.root, key);

beforeAll(async () => {
  db = await scratchDatabase();
  sql = new Client({ connectionString: db.url });
  await sql.connect();
  world = await storageApp({ DATABASE_URL: db.url, ENCRYPTION_KEYS: K1 });
  auth = bearer(await aToken({ sub: owner }));
  admin = bearer(await aToken({ sub: randomUUID(), role: 'admin' }));
}, 60_000);
afterAll(async () => {
  await world?.cleanup();
  await sql?.end();
  await db?.drop();
});

describe('uploads stored encrypted', () => {
  it('stores ciphertext with a wrapped key on the row, serves the plaintext byte for byte, keeps plaintext checksums and size', async () => {
    const content = someText(3 * S + 123);
    const file = await uploadText(world, content);
    expect(file).toMatchObject({ size_bytes: content.length, checksum_sha256: sha256(content) });
    const row = await rowOf(file.id);
    expect(row.encryption_key_id).toBe('k1');
    expect(Buffer.from(row.encryption_wrapped_key, 'base64')).toHaveLength(60);
    const stored = await fs.readFile(objectOf(world, file.file_path));
    expect(stored.length).toBe(ciphertextSize(content.length));
    expect(stored.subarray(0, 4).toString('latin1')).toBe('VBSE');
    expect(stored.includes(content.subarray(1000, 1064))).toBe(false);

    const res = await stream(world, file.id);
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(content.length));
    expect(res.headers.etag).toBe(`"${sha256(content)}"`);
    expect(Buffer.compare(res.body, content)).toBe(0);

    const details = await request(world.app).get(`/api/v1/storage/files/${file.id}`).set(auth);
    expect(details.status).toBe(200);
    expect(JSON.stringify(details.body)).not.toContain(row.encryption_wrapped_key);
  });

  const size = 3 * S + 500;
  let content: Buffer;
  let fileId: string;
  beforeAll(async () => {
    content = someText(size);
    fileId = (await uploadText(world, content)).id;
  });

  it.each([
    ['first byte', 'bytes=0-0', 0, 0],
    ['last byte', `bytes=${size - 1}-${size - 1}`, size - 1, size - 1],
    ['last byte of the first segment', `bytes=${S - 1}-${S - 1}`, S - 1, S - 1],
    ['first byte of the second segment', `bytes=${S}-${S}`, S, S],
    ['across two segments', `bytes=${S - 100}-${S + 99}`, S - 100, S + 99],
    ['a whole segment', `bytes=${S}-${2 * S - 1}`, S, 2 * S - 1],
    ['a suffix', 'bytes=-700', size - 700, size - 1],
    ['an open end', `bytes=${2 * S + 1}-`, 2 * S + 1, size - 1],
  ])('Range %s (%s): 206 with exactly those plaintext bytes', async (_label, range, start, end) => {
    const res = await stream(world, fileId, range);
    expect(res.status).toBe(206);
    expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${size}`);
    expect(Buffer.compare(res.body, content.subarray(start, end + 1))).toBe(0);
  });

  it('transformation-free download link: the service signs its own URL, which serves the plaintext', async () => {
    const res = await request(world.app).get(`/api/v1/storage/download/${fileId}`).set(auth).redirects(0);
    const location = res.headers.location ?? res.body?.download_url ?? res.body?.url;
    expect(String(location)).toContain('/api/v1/storage/signed/');
    const signed = await request(world.app).get(String(location).replace(/^https?:\/\/[^/]+/, '')).buffer(true).parse(binaryBody);
    expect(signed.status).toBe(200);
    expect(Buffer.compare(signed.body, content)).toBe(0);
  });
});

describe('the CDN origin', () => {
  it('serves the decrypted content of a public encrypted file, Range included', async () => {
    const content = someText(S + 300);
    const res = await upload(world.app, auth.Authorization.slice(7), content, { name: 'public.txt', type: 'text/plain', metadata: { is_public: true } });
    expect(res.status).toBe(201);
    const cdnPath = new URL(res.body.urls.cdn).pathname + new URL(res.body.urls.cdn).search;
    const whole = await request(world.app).get(cdnPath).buffer(true).parse(binaryBody);
    expect(whole.status).toBe(200);
    expect(Buffer.compare(whole.body, content)).toBe(0);
    const part = await request(world.app).get(cdnPath).set('Range', `bytes=${S - 2}-${S + 1}`).buffer(true).parse(binaryBody);
    expect(part.status).toBe(206);
    expect(Buffer.compare(part.body, content.subarray(S - 2, S + 2))).toBe(0);
  });
});

describe('a damaged object is refused with 502 STORAGE_INTEGRITY_ERROR, never served', () => {
  async function damaged(damage: (stored: Buffer) => Buffer, size = 2 * S + 300) {
    const content = someText(size);
    const file = await uploadText(world, content);
    const where = objectOf(world, file.file_path);
    await fs.writeFile(where, damage(await fs.readFile(where)));
    return { file, content };
  }
  const segment = (b: Buffer, i: number) => b.subarray(HEADER_BYTES + i * SEGMENT_CIPHERTEXT_BYTES, HEADER_BYTES + (i + 1) * SEGMENT_CIPHERTEXT_BYTES);

  it('a flipped byte', async () => {
    const { file } = await damaged((b) => {
      const copy = Buffer.from(b);
      copy[HEADER_BYTES + 10]! ^= 1;
      return copy;
    });
    expectStandardError(await request(world.app).get(`/api/v1/storage/stream/${file.id}`).set(auth), 502, 'STORAGE_INTEGRITY_ERROR');
  });

  it('two segments swapped', async () => {
    const { file } = await damaged((b) => Buffer.concat([b.subarray(0, HEADER_BYTES), segment(b, 1), segment(b, 0), b.subarray(HEADER_BYTES + 2 * SEGMENT_CIPHERTEXT_BYTES)]));
    expectStandardError(await request(world.app).get(`/api/v1/storage/stream/${file.id}`).set(auth), 502, 'STORAGE_INTEGRITY_ERROR');
  });

  it('a truncated object: a Range over the missing bytes is 502; a one-segment file cut short is 502', async () => {
    const { file, content } = await damaged((b) => b.subarray(0, b.length - 200));
    const res = await request(world.app).get(`/api/v1/storage/stream/${file.id}`).set(auth).set('Range', `bytes=${content.length - 1}-`);
    expectStandardError(res, 502, 'STORAGE_INTEGRITY_ERROR');
    const small = await damaged((b) => b.subarray(0, b.length - 3), 1000);
    expectStandardError(await request(world.app).get(`/api/v1/storage/stream/${small.file.id}`).set(auth), 502, 'STORAGE_INTEGRITY_ERROR');
  });

  it('a damage found after the status line went out cuts the connection: the client never gets the whole body', async () => {
    const { file, content } = await damaged((b) => {
      const copy = Buffer.from(b);
      copy[HEADER_BYTES + 2 * SEGMENT_CIPHERTEXT_BYTES + 5]! ^= 1;
      return copy;
    });
    const outcome = await stream(world, file.id).then(
      (res) => ({ complete: res.status === 200 && Buffer.compare(res.body, content) === 0 }),
      () => ({ complete: false }),
    );
    expect(outcome.complete).toBe(false);
  });
});

describe('keys', () => {
  it('a file whose master key is not in the keyring: reads answer 503, /health fails its encryption check with the count only', async () => {
    const file = await uploadText(world, someText(500));
    const other = await appWith({ ENCRYPTION_KEYS: K2 });
    try {
      expectStandardError(await request(other.app).get(`/api/v1/storage/stream/${file.id}`).set(auth), 503, 'ENCRYPTION_KEY_UNAVAILABLE');
      const health = await request(other.app).get('/health');
      expect(health.body.checks.encryption).toMatchObject({ status: 'DOWN', files_with_missing_key: expect.any(Number) });
      expect(health.body.checks.encryption.files_with_missing_key).toBeGreaterThan(0);
      expect(JSON.stringify(health.body.checks.encryption)).not.toMatch(/k1|k2/);
    } finally {
      await other.close();
    }
  });

  it('/health says encryption is on, and off for a deployment without a keyring', async () => {
    expect((await request(world.app).get('/health')).body.checks.encryption).toMatchObject({ status: 'UP', enabled: true });
    const clear = await appWith({});
    try {
      expect((await request(clear.app).get('/health')).body.checks.encryption).toMatchObject({ status: 'UP', enabled: false });
    } finally {
      await clear.close();
    }
  });

  it('rotation: 202, every data key re-wrapped under the new active key, nothing re-encrypted, all readable with only the new key', async () => {
    const content = someText(S + 10);
    const file = await uploadText(world, content);
    const objectBefore = await fs.readFile(objectOf(world, file.file_path));
    const both = await appWith({ ENCRYPTION_KEYS: `${K1},${K2}`, ENCRYPTION_ACTIVE_KEY: 'k2' });
    try {
      expect((await request(both.app).post('/api/v1/admin/encryption/rotate').set(auth)).status).toBe(403);
      const started = await request(both.app).post('/api/v1/admin/encryption/rotate').set(admin);
      expect(started.status).toBe(202);
      expect(started.body).toMatchObject({ kind: 'rotate', target_key_id: 'k2', total_files: expect.any(Number) });
      await both.container.get<EncryptionJobRunner>(TOKENS.EncryptionJobRunner).idle();
      const status = await request(both.app).get('/api/v1/admin/encryption/status').set(admin);
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({ enabled: true, active_key_id: 'k2', files_with_missing_keys: 0 });
      expect(status.body.jobs.rotate).toMatchObject({ status: 'completed', failed_files: 0, progress_percent: 100 });
      expect(status.body.keys.find((k: { key_id: string }) => k.key_id === 'k1')).toMatchObject({ files: 0 });
      expect(JSON.stringify(status.body)).not.toContain(keyOf('k1'));
    } finally {
      await both.close();
    }
    expect((await rowOf(file.id)).encryption_key_id).toBe('k2');
    expect(Buffer.compare(await fs.readFile(objectOf(world, file.file_path)), objectBefore)).toBe(0);
    const onlyNew = await appWith({ ENCRYPTION_KEYS: K2 });
    try {
      const res = await stream(onlyNew, file.id);
      expect(Buffer.compare(res.body, content)).toBe(0);
    } finally {
      await onlyNew.close();
    }
  });

  it('a rotation left running by a crash is resumed at the next start', async () => {
    const file = await uploadText(world, someText(700));
    expect((await rowOf(file.id)).encryption_key_id).toBe('k1');
    await sql.query(`INSERT INTO encryption_jobs (id, kind, status, target_key_id, total_files) VALUES ($1, 'rotate', 'running', 'k2', 1)`, [randomUUID()]);
    const restarted = await appWith({ ENCRYPTION_KEYS: `${K1},${K2}`, ENCRYPTION_ACTIVE_KEY: 'k2' });
    try {
      await restarted.container.get<EncryptionJobRunner>(TOKENS.EncryptionJobRunner).idle();
      await eventually('the resumed rotation', async () => ((await rowOf(file.id)).encryption_key_id === 'k2' ? true : undefined));
      const status = await request(restarted.app).get('/api/v1/admin/encryption/status').set(admin);
      expect(status.body.jobs.rotate.status).toBe('completed');
    } finally {
      await restarted.close();
    }
  });
});

describe('POST /api/v1/admin/encryption/encrypt-existing', () => {
  it('encrypts files stored in clear (new object, swap, old removed); they read the same', async () => {
    const clear = await appWith({});
    let file: { id: string; file_path: string };
    const content = someText(2 * S + 5);
    try {
      file = await uploadText(clear, content);
      expect(await fs.readFile(objectOf(world, file.file_path))).toEqual(content);
      expect((await rowOf(file.id)).encryption_wrapped_key).toBeNull();
      expectStandardError(await request(clear.app).post('/api/v1/admin/encryption/encrypt-existing').set(admin), 409, 'CONFLICT');
    } finally {
      await clear.close();
    }
    const before = (await request(world.app).get('/api/v1/admin/encryption/status').set(admin)).body.unencrypted_files;
    expect(before).toBeGreaterThan(0);
    const started = await request(world.app).post('/api/v1/admin/encryption/encrypt-existing').set(admin);
    expect(started.status).toBe(202);
    await world.container.get<EncryptionJobRunner>(TOKENS.EncryptionJobRunner).idle();
    const row = await rowOf(file.id);
    expect(row.encryption_key_id).toBe('k1');
    expect(row.file_path).toBe(`${file.file_path}.vbse`);
    await expect(fs.access(objectOf(world, file.file_path))).rejects.toThrow();
    const stored = await fs.readFile(objectOf(world, row.file_path));
    expect(stored.length).toBe(ciphertextSize(content.length));
    expect(stored.includes(content.subarray(0, 64))).toBe(false);
    const res = await stream(world, file.id, `bytes=${S - 5}-${S + 4}`);
    expect(Buffer.compare(res.body, content.subarray(S - 5, S + 5))).toBe(0);
    const status = await request(world.app).get('/api/v1/admin/encryption/status').set(admin);
    expect(status.body).toMatchObject({ unencrypted_files: 0 });
    expect(status.body.jobs.encrypt_existing).toMatchObject({ status: 'completed', done_files: before });
  });
});

describe('backup copies', () => {
  it('are the encrypted object, byte for byte (the backup provider never sees the plaintext)', async () => {
    const backupRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-enc-backup-'));
    const backup = new LocalDiskObjectStore(backupRoot);
    await backup.ensureReady();
    const withBackup = await storageApp({ DATABASE_URL: db.url, ENCRYPTION_KEYS: K1 }, world.store, { [TOKENS.BackupObjectStore]: backup });
    try {
      const content = someText(S + 99);
      const file = await uploadText(withBackup, content);
      await eventually('the backup copy', async () => ((await rowOf(file.id)).backup_status === 'completed' ? true : undefined));
      const copy = await fs.readFile(path.join(backupRoot, file.file_path));
      expect(Buffer.compare(copy, await fs.readFile(objectOf(world, file.file_path)))).toBe(0);
      expect(copy.includes(content.subarray(0, 64))).toBe(false);
    } finally {
      await withBackup.cleanup();
      await fs.rm(backupRoot, { recursive: true, force: true });
    }
  });
});

describe('the wrapped key stays out of every read path', () => {
  it('data API: absent from rows and unknown as a field; restricted SQL: permission denied', async () => {
    const file = await uploadText(world, someText(200));
    const query = (body: object) => request(world.app).post('/api/v1/data/query').set(admin).send({ database: 'postgresql', query_type: 'select', pagination: { limit: 10 }, ...body });
    const rows = await query({ table: 'files', filters: { id: file.id } });
    expect(rows.status).toBe(200);
    expect(rows.body.data[0]).not.toHaveProperty('encryption_wrapped_key');
    expectStandardError(await query({ table: 'files', fields: ['id', 'encryption_wrapped_key'] }), 400, 'VALIDATION_ERROR');
    const sqlRes = await request(world.app).post('/api/v1/db/query').set(admin).send({ sql: 'SELECT encryption_wrapped_key FROM files' });
    expect([403, 503]).toContain(sqlRes.status);
    expect(JSON.stringify(sqlRes.body)).not.toContain((await rowOf(file.id)).encryption_wrapped_key);
  });
});

describe('OpenAPI', () => {
  it('lists the encryption endpoints', async () => {
    const doc = (await request(world.app).get('/api/v1/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/admin/encryption/rotate', '/api/v1/admin/encryption/encrypt-existing', '/api/v1/admin/encryption/status']));
    expect(doc.paths['/api/v1/admin/encryption/rotate'].post.responses).toHaveProperty('202');
  });
});

describe('a rotation that meets a file whose key is gone', () => {
  it('re-wraps the others, counts that file as failed, and ends failed with the error code (never the key)', async () => {
    const orphan = aFile().ownedBy(owner).encryptedWith({ keyId: 'gone', wrappedKey: Buffer.alloc(60, 1).toString('base64') }).build();
    await world.container.get<FileRepository>(TOKENS.FileRepository).insertWithinQuota(orphan, Number.MAX_SAFE_INTEGER, []);
    const readable = await uploadText(world, someText(300));
    const both = await appWith({ ENCRYPTION_KEYS: `${K1},${K2}`, ENCRYPTION_ACTIVE_KEY: 'k2' });
    try {
      expect((await request(both.app).post('/api/v1/admin/encryption/rotate').set(admin)).status).toBe(202);
      await both.container.get<EncryptionJobRunner>(TOKENS.EncryptionJobRunner).idle();
      const status = (await request(both.app).get('/api/v1/admin/encryption/status').set(admin)).body;
      expect(status.jobs.rotate).toMatchObject({ status: 'failed', failed_files: 1, last_error: expect.stringContaining('ENCRYPTION_KEY_UNAVAILABLE') });
      expect(status.keys.find((k: { key_id: string }) => k.key_id === 'gone')).toMatchObject({ files: 1, in_keyring: false });
      expect(status.files_with_missing_keys).toBe(1);
      expect((await rowOf(readable.id)).encryption_key_id).toBe('k2');
    } finally {
      await both.close();
    }
  });
});

describe('tus and resumable uploads are encrypted when they complete', () => {
  const TUS = { 'Tus-Resumable': '1.0.0' };
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  let staged: World;
  beforeAll(async () => {
    // The staging (tus PATCHes, resumable chunks) goes to the same disk folder the files are read from.
    staged = await storageApp({ DATABASE_URL: db.url, ENCRYPTION_KEYS: K1 }, world.store, { [TOKENS.UploadStaging]: world.store });
  });
  afterAll(() => staged.cleanup());

  async function expectSealed(fileId: string, content: Buffer) {
    const row = await rowOf(fileId);
    expect(row).toMatchObject({ encryption_key_id: 'k1', size_bytes: String(content.length), checksum_sha256: sha256(content) });
    expect(row.file_path.endsWith('.vbse')).toBe(true);
    const stored = await fs.readFile(objectOf(world, row.file_path));
    expect(stored.length).toBe(ciphertextSize(content.length));
    expect(stored.includes(content.subarray(1000, 1064))).toBe(false);
    // The clear staged object is gone: only the encrypted one is left under that name.
    await expect(fs.stat(objectOf(world, row.file_path.slice(0, -'.vbse'.length)))).rejects.toThrow();
    const whole = await stream(staged, fileId);
    expect(whole.status).toBe(200);
    expect(Buffer.compare(whole.body, content)).toBe(0);
    const part = await stream(staged, fileId, `bytes=${S - 10}-${S + 9}`);
    expect(part.status).toBe(206);
    expect(Buffer.compare(part.body, content.subarray(S - 10, S + 10))).toBe(0);
  }

  it('tus: PATCHes cut off the segment grid; the file is stored encrypted and reads back byte for byte', async () => {
    const content = someText(2 * S + 777);
    const created = await request(staged.app)
      .post('/api/v1/storage/tus')
      .set(auth)
      .set(TUS)
      .set('Upload-Length', String(content.length))
      .set('Upload-Metadata', `filename ${b64('notes.txt')},filetype ${b64('text/plain')}`);
    expect(created.status).toBe(201);
    const location = String(created.headers.location).replace(/^https?:\/\/[^/]+/, '');
    let offset = 0;
    for (const cut of [S - 25_533, S + 5_001, content.length]) {
      const res = await request(staged.app)
        .patch(location)
        .set(auth)
        .set(TUS)
        .set('Upload-Offset', String(offset))
        .set('Content-Type', 'application/offset+octet-stream')
        .send(content.subarray(offset, cut));
      expect(res.status).toBe(204);
      offset = cut;
    }
    const sessionId = location.split('/').pop();
    const { rows } = await sql.query('SELECT file_id, status FROM upload_sessions WHERE id = $1', [sessionId]);
    expect(rows[0].status).toBe('completed');
    await expectSealed(rows[0].file_id, content);
  });

  it('resumable: chunks in reverse order; the last one stores the file encrypted', async () => {
    const chunk = 256 * 1024;
    const content = someText(2 * chunk + 4321);
    const init = await request(staged.app)
      .post('/api/v1/storage/upload/resumable/init')
      .set(auth)
      .send({ filename: 'notes.txt', file_size: content.length, mime_type: 'text/plain', chunk_size: chunk });
    expect(init.status).toBe(201);
    const sessionId = init.body.upload_session.session_id as string;
    for (const index of [2, 1, 0]) {
      const body = content.subarray(index * chunk, (index + 1) * chunk);
      const res = await request(staged.app)
        .put('/api/v1/storage/upload/resumable/chunk')
        .set(auth)
        .set('Content-Type', 'application/octet-stream')
        .set('X-Upload-Session', sessionId)
        .set('X-Chunk-Index', String(index))
        .send(body);
      expect(res.status).toBeLessThan(300);
    }
    await expectSealed(init.body.file.id, content);
  });
});
