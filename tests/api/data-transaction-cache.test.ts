import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { currentRun } from '../support/run-resources';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';
import { aProjectRow, aUserRow, insert, remove, transaction, update } from '../support/transaction-requests';

/**
 * Read, write, read: the write's response is sent only once the cached reads of its tables are
 * invalidated, on every instance (two apps share one Redis). The apps have a key prefix of their own,
 * so other files' invalidations never turn an expected hit into a miss.
 */
describe('POST /api/v1/data/transaction invalidates cached reads', () => {
  const env = { REDIS_KEY_PREFIX: `${currentRun().keyPrefix}txcache-${randomBytes(4).toString('hex')}:` };
  let writer: TestApp;
  let reader: TestApp;
  const user = { id: randomUUID(), token: '' };
  const projectId = randomUUID();
  const select = (app: TestApp, table = 'projects', filters: Record<string, unknown> = { id: projectId }) =>
    request(app.app).post('/api/v1/data/query').set(bearer(user.token)).send({ database: 'postgresql', query_type: 'select', table, filters }).expect(200);

  beforeAll(async () => {
    [writer, reader] = await Promise.all([buildTestApp({ env }), buildTestApp({ env })]);
    user.token = await aToken({ sub: user.id });
    await transaction(writer.app, user.token, [insert('users', aUserRow()), insert('projects', aProjectRow({ id: projectId, title: 'v1' }))]).expect(200);
  });
  afterAll(() => Promise.all([writer.close(), reader.close()]));

  it('serves the fresh row right after a write, on this instance and on another one', async () => {
    for (const app of [writer, reader]) {
      await select(app);
      expect((await select(app)).body).toMatchObject({ cache: 'hit', data: [expect.objectContaining({ title: 'v1' })] });
    }
    await transaction(writer.app, user.token, [update('projects', { id: projectId }, { title: 'v2' })]).expect(200);
    // The reader first: it must not find the entry cached before the write.
    for (const app of [reader, writer]) expect((await select(app)).body.data).toEqual([expect.objectContaining({ title: 'v2' })]);
  });

  it("invalidates a child table's reads when a delete cascades to it", async () => {
    const parent = randomUUID();
    await transaction(writer.app, user.token, [
      insert('projects', aProjectRow({ id: parent })),
      insert('media_assets', { project_id: parent, asset_type: 'image', file_path: 'a.png' }),
    ]).expect(200);
    const admin = await aToken({ role: 'admin' });
    const assets = () =>
      request(reader.app).post('/api/v1/data/query').set(bearer(admin)).send({ database: 'postgresql', query_type: 'select', table: 'media_assets', filters: { project_id: parent } }).expect(200);
    await assets();
    expect((await assets()).body).toMatchObject({ cache: 'hit', data: [expect.objectContaining({ file_path: 'a.png' })] });
    await transaction(writer.app, user.token, [remove('projects', { id: parent })]).expect(200);
    expect((await assets()).body.data).toEqual([]);
  });
});
