import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import type { PurgeExpiredTrash } from '../../src/application/storage/files/purge-expired-trash';
import { TOKENS } from '../../src/infrastructure/tokens';
import { expectStandardError } from '../support/error-body';
import { aPdf, aPng, someText } from '../support/media-fixtures';
import { currentRun } from '../support/run-resources';
import { storageApp, upload } from '../support/storage-world';
import { aToken, bearer } from '../support/tokens';

let world: Awaited<ReturnType<typeof storageApp>>;
let sql: Client;

beforeAll(async () => {
  world = await storageApp({ STORAGE_QUOTA_USER: '1mb' });
  sql = new Client({ connectionString: currentRun().databaseUrl });
  await sql.connect();
});
afterAll(async () => {
  await sql.end();
  await world.cleanup();
});

const api = () => request(world.app);

async function anUploadedFile(token: string, content: Buffer = someText(), name = 'notes.txt', type = 'text/plain', metadata?: unknown) {
  const res = await upload(world.app, token, content, { name, type, ...(metadata ? { metadata } : {}) });
  expect(res.status).toBe(201);
  return res.body.file as { id: string; file_path: string; size_bytes: number };
}

describe('GET /api/v1/storage/files', () => {
  it('lists the caller\'s files with filters, search over name and tags, pages and storage usage', async () => {
    const user = randomUUID();
    const token = await aToken({ sub: user });
    const project = randomUUID();
    const png = await anUploadedFile(token, aPng(8, 6), 'Sunset.png', 'image/png', { project_id: project, tags: ['Holiday'] });
    const txt = await anUploadedFile(token, someText(300), 'report.txt');
    await anUploadedFile(await aToken(), someText(), 'someone-else.txt');

    const all = await api().get('/api/v1/storage/files').set(bearer(token));
    expect(all.status).toBe(200);
    expect(all.body.files.map((f: { id: string }) => f.id)).toEqual([txt.id, png.id]);
    expect(all.body.pagination).toEqual({ page: 1, limit: 20, total: 2, pages: 1 });
    const used = png.size_bytes + txt.size_bytes;
    expect(all.body.storage_usage).toEqual({ used_bytes: used, quota_bytes: 1024 * 1024, usage_percent: Math.round((used / (1024 * 1024)) * 10_000) / 100 });
    const listedPng = all.body.files.find((f: { id: string }) => f.id === png.id);
    expect(listedPng.metadata).toMatchObject({ dimensions: { width: 8, height: 6 }, tags: ['Holiday'] });
    expect(listedPng.urls.download).toMatch(new RegExp(`/api/v1/storage/download/${png.id}$`));

    const ids = async (query: string) => (await api().get(`/api/v1/storage/files?${query}`).set(bearer(token))).body.files.map((f: { id: string }) => f.id);
    expect(await ids(`project_id=${project}`)).toEqual([png.id]);
    expect(await ids('file_type=document')).toEqual([txt.id]);
    expect(await ids('search=holi')).toEqual([png.id]);
    expect(await ids('search=REPORT')).toEqual([txt.id]);
    expect(await ids('sort=original_name&order=asc')).toEqual([txt.id, png.id]);
    const page2 = await api().get('/api/v1/storage/files?limit=1&page=2').set(bearer(token));
    expect(page2.body.pagination).toEqual({ page: 2, limit: 1, total: 2, pages: 2 });
    expectStandardError(await api().get('/api/v1/storage/files?sort=owner').set(bearer(token)), 400, 'VALIDATION_ERROR');
    const asAdmin = await api().get(`/api/v1/storage/files?user_id=${user}`).set(bearer(await aToken({ role: 'admin' })));
    expect(asAdmin.body.files.map((f: { id: string }) => f.id)).toEqual([txt.id, png.id]);
    expect(asAdmin.body.storage_usage).toMatchObject({ used_bytes: used, quota_bytes: null });
    expectStandardError(await api().get(`/api/v1/storage/files?user_id=${user}`).set(bearer(await aToken())), 403, 'FORBIDDEN');
  });
});

describe('a file by id', () => {
  it('shows details, grouped extracted metadata, urls and transformations to the owner and to an admin', async () => {
    const token = await aToken();
    const pdf = await anUploadedFile(token, await aPdf(2, 'Mon Document', 'John Doe'), 'doc.pdf', 'application/pdf');
    for (const who of [token, await aToken({ role: 'admin' })]) {
      const res = await api().get(`/api/v1/storage/files/${pdf.id}`).set(bearer(who));
      expect(res.status).toBe(200);
      expect(res.body.file).toMatchObject({ id: pdf.id, mime_type: 'application/pdf', file_type: 'document', deleted_at: null });
      expect(res.body.metadata).toEqual({ document: expect.objectContaining({ pages: 2, title: 'Mon Document', author: 'John Doe' }) });
      expect(res.body.transformations).toEqual([]);
      expect(res.body.urls).toEqual({
        download: expect.stringContaining(`/api/v1/storage/download/${pdf.id}`),
        // A private file: its CDN URLs are signed; a PDF's thumbnail and preview are renditions of its first page.
        cdn: expect.stringMatching(new RegExp(`/cdn/files/${pdf.id}/[0-9a-f]{16}\\?expires=\\d+&signature=[\\w-]+$`)),
        thumbnail: expect.stringMatching(new RegExp(`/cdn/render/${pdf.id}\\?expires=\\d+&signature=[\\w-]+&preset=thumbnail$`)),
        preview: expect.stringMatching(new RegExp(`/cdn/render/${pdf.id}\\?expires=\\d+&signature=[\\w-]+&preset=preview$`)),
      });
    }
  });

  it('is 404 FILE_NOT_FOUND for another user, whatever the method, and for an unknown id', async () => {
    const file = await anUploadedFile(await aToken());
    const stranger = bearer(await aToken());
    expectStandardError(await api().get(`/api/v1/storage/files/${file.id}`).set(stranger), 404, 'FILE_NOT_FOUND');
    expectStandardError(await api().put(`/api/v1/storage/files/${file.id}`).set(stranger).send({ is_public: true }), 404, 'FILE_NOT_FOUND');
    expectStandardError(await api().delete(`/api/v1/storage/files/${file.id}?permanent=true`).set(stranger), 404, 'FILE_NOT_FOUND');
    expectStandardError(await api().post(`/api/v1/storage/files/${file.id}/restore`).set(stranger), 404, 'FILE_NOT_FOUND');
    expectStandardError(await api().get(`/api/v1/storage/files/${randomUUID()}`).set(stranger), 404, 'FILE_NOT_FOUND');
    expect(await world.store.head(file.file_path)).not.toBeNull();
  });

  it('updates the name, visibility and metadata (merged) and answers the seed body', async () => {
    const token = await aToken();
    const file = await anUploadedFile(token, someText(), 'old.txt', 'text/plain', { description: 'v1', tags: ['a'] });
    const res = await api()
      .put(`/api/v1/storage/files/${file.id}`)
      .set(bearer(token))
      .send({ original_name: 'nouveau_nom.txt', is_public: true, metadata: { tags: ['document', 'final'], custom_fields: { version: '2.1' } } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      file: { id: file.id, original_name: 'nouveau_nom.txt', is_public: true, updated_at: expect.any(String) },
      message: 'File metadata updated successfully',
    });
    const details = await api().get(`/api/v1/storage/files/${file.id}`).set(bearer(token));
    expect(details.body.file.metadata).toEqual({ description: 'v1', tags: ['document', 'final'], custom_fields: { version: '2.1' } });
    expectStandardError(await api().put(`/api/v1/storage/files/${file.id}`).set(bearer(token)).send({ owner: 'me' }), 400, 'VALIDATION_ERROR');
    const renamed = await api().put(`/api/v1/storage/files/${file.id}`).set(bearer(token)).send({ original_name: '../sub/\u0007evil\u202e.txt' });
    expect(renamed.body.file.original_name).toBe('evil.txt');
  });
});

describe('trash and deletion', () => {
  it('soft-deletes into the trash with a 30-day recovery deadline, then restores', async () => {
    const token = await aToken();
    const file = await anUploadedFile(token);
    const res = await api().delete(`/api/v1/storage/files/${file.id}`).set(bearer(token));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ file_id: file.id, deleted: true, permanent: false, storage_freed_bytes: 0 });
    const deadline = new Date(res.body.recovery_deadline).getTime();
    expect(Math.abs(deadline - (Date.now() + 30 * 86_400_000))).toBeLessThan(60_000);
    expectStandardError(await api().get(`/api/v1/storage/files/${file.id}`).set(bearer(token)), 404, 'FILE_NOT_FOUND');
    const trash = await api().get('/api/v1/storage/files?trashed=true').set(bearer(token));
    expect(trash.body.files.map((f: { id: string }) => f.id)).toEqual([file.id]);
    expect(await world.store.head(file.file_path)).not.toBeNull();

    const restored = await api().post(`/api/v1/storage/files/${file.id}/restore`).set(bearer(token));
    expect(restored.status).toBe(200);
    expect(restored.body.file).toMatchObject({ id: file.id, deleted_at: null });
    expect((await api().get(`/api/v1/storage/files/${file.id}`).set(bearer(token))).status).toBe(200);
    expectStandardError(await api().post(`/api/v1/storage/files/${file.id}/restore`).set(bearer(token)), 404, 'FILE_NOT_FOUND');
  });

  it('deletes permanently: object and row gone, quota freed', async () => {
    const user = randomUUID();
    const token = await aToken({ sub: user });
    const file = await anUploadedFile(token, someText(1_000));
    const res = await api().delete(`/api/v1/storage/files/${file.id}?permanent=true`).set(bearer(token));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ file_id: file.id, deleted: true, permanent: true, recovery_deadline: null, storage_freed_bytes: 1_000 });
    expect(await world.store.head(file.file_path)).toBeNull();
    expect((await sql.query('SELECT 1 FROM files WHERE id = $1', [file.id])).rows).toEqual([]);
    const list = await api().get('/api/v1/storage/files').set(bearer(token));
    expect(list.body.storage_usage.used_bytes).toBe(0);
  });

  it('purges trash whose recovery deadline has passed, and only that', async () => {
    const token = await aToken();
    const old = await anUploadedFile(token);
    const recent = await anUploadedFile(token);
    await api().delete(`/api/v1/storage/files/${old.id}`).set(bearer(token));
    await api().delete(`/api/v1/storage/files/${recent.id}`).set(bearer(token));
    await sql.query(`UPDATE files SET deleted_at = (now() AT TIME ZONE 'UTC') - interval '31 days' WHERE id = $1`, [old.id]);
    const outcome = await world.container.get<PurgeExpiredTrash>(TOKENS.PurgeExpiredTrash).execute();
    expect(outcome.purged).toBeGreaterThanOrEqual(1);
    expect((await sql.query('SELECT id FROM files WHERE id = ANY($1::uuid[])', [[old.id, recent.id]])).rows).toEqual([{ id: recent.id }]);
    expect(await world.store.head(old.file_path)).toBeNull();
    expect(await world.store.head(recent.file_path)).not.toBeNull();
  });
});
