import request from 'supertest';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { resumableWorld } from '../support/resumable-world';
import { aToken, bearer } from '../support/tokens';

const CHUNK = 256 * 1024;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const aPdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(size - 9)]);
const TUS = { 'Tus-Resumable': '1.0.0' };

describe('resumable uploads written in place and hashed as they go', () => {
  it('chunks out of order and in parallel: right checksums, and the staged file IS the final file (same inode)', async () => {
    const world = await resumableWorld();
    try {
      const auth = bearer(await aToken({ sub: randomUUID() }));
      const content = aPdf(4 * CHUNK + 77);
      const init = await request(world.app).post('/api/v1/storage/upload/resumable/init').set(auth)
        .send({ filename: 'v.pdf', file_size: content.length, mime_type: 'application/pdf', chunk_size: CHUNK });
      const sessionId = init.body.upload_session.session_id as string;
      const put = (i: number) => {
        const body = content.subarray(i * CHUNK, (i + 1) * CHUNK);
        return request(world.app).put('/api/v1/storage/upload/resumable/chunk').set(auth).set('Content-Type', 'application/octet-stream')
          .set('X-Upload-Session', sessionId).set('X-Chunk-Index', String(i)).set('X-Chunk-Checksum', md5(body)).send(body);
      };
      const ahead = await Promise.all([4, 2, 3].map(put));
      expect(ahead.map((r) => r.status)).toEqual([200, 200, 200]);
      const session = (await world.sessions().findById(sessionId))!;
      const staged = await fs.stat(path.join(world.root, '.uploads', session.uploadId));
      const [a, b] = await Promise.all([put(1), put(0)]);
      expect([a.status, b.status].sort()).toEqual([200, 201]);
      const created = (a.status === 201 ? a : b).body.file;
      expect(created).toMatchObject({ checksum_md5: md5(content), checksum_sha256: sha256(content), size_bytes: content.length });
      const row = await world.files().findById(created.id);
      const final = await fs.stat(path.join(world.root, row!.filePath));
      expect(final.ino).toBe(staged.ino);
      expect(sha256(await fs.readFile(path.join(world.root, row!.filePath)))).toBe(sha256(content));
    } finally {
      await world.dispose();
    }
  });

  it('a tus upload begun on one instance is finished on another: the hash state carries over', async () => {
    const first = await resumableWorld();
    const token = await aToken({ sub: randomUUID() });
    const content = aPdf(3 * CHUNK + 5);
    const meta = `filename ${Buffer.from('t.pdf').toString('base64')},filetype ${Buffer.from('application/pdf').toString('base64')}`;
    const created = await request(first.app).post('/api/v1/storage/tus').set(bearer(token)).set(TUS).set('Upload-Length', String(content.length)).set('Upload-Metadata', meta);
    const location = created.headers.location as string;
    const patch = (app: typeof first.app, from: number, to: number) =>
      request(app).patch(location).set(bearer(token)).set(TUS).set('Content-Type', 'application/offset+octet-stream').set('Upload-Offset', String(from)).send(content.subarray(from, to));
    expect((await patch(first.app, 0, 100_001)).headers['upload-offset']).toBe('100001');
    await first.dispose(false);
    const second = await resumableWorld({ root: first.root, clock: first.clock });
    try {
      expect((await request(second.app).head(location).set(bearer(token)).set(TUS)).headers['upload-offset']).toBe('100001');
      expect((await patch(second.app, 100_001, content.length)).status).toBe(204);
      const session = await second.sessions().findById(location.split('/').pop()!);
      expect(session?.status).toBe('completed');
      expect((await second.files().findById(session!.fileId))?.checksumSha256).toBe(sha256(content));
    } finally {
      await second.dispose();
    }
  });
});
