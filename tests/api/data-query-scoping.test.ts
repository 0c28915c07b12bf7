import request from 'supertest';
import { expectStandardError } from '../support/error-body';
import { SeedRows, type RowData } from '../support/seed-rows';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

interface World {
  user: RowData;
  token: string;
  project: RowData;
  file: RowData;
  job: RowData;
  analysis: RowData;
  metadata: RowData;
}

/** Two users with a full tree of rows each: neither ever sees the other's; an admin sees both. */
describe('POST /api/v1/data/query row scoping', () => {
  let t: TestApp;
  let seed: SeedRows;
  let a: World;
  let b: World;
  let admin: string;
  const select = (token: string, body: object) =>
    request(t.app).post('/api/v1/data/query').set(bearer(token)).send({ database: 'postgresql', query_type: 'select', pagination: { limit: 100 }, ...body });
  const ids = (res: request.Response) => res.body.data.map((row: RowData) => row.id);

  const world = async (): Promise<World> => {
    const user = await seed.user();
    const project = await seed.project(user.id as string);
    const file = await seed.file(user.id as string, { project_id: project.id });
    return {
      user,
      token: await aToken({ sub: user.id as string }),
      project,
      file,
      job: await seed.analysisJob(project.id as string),
      analysis: await seed.contentAnalysis(project.id as string),
      metadata: await seed.fileMetadata(file.id as string),
    };
  };

  beforeAll(async () => {
    t = await buildTestApp();
    seed = await SeedRows.connect();
    [a, b] = [await world(), await world()];
    admin = await aToken({ role: 'admin' });
  });
  afterAll(async () => {
    await seed.close();
    await t.close();
  });

  it.each([
    ['projects', 'project', 'user_id'],
    ['files', 'file', 'user_id'],
    ['analysis_jobs', 'job', 'project_id'],
    ['content_analysis', 'analysis', 'project_id'],
    ['file_metadata', 'metadata', 'file_id'],
  ] as const)('%s: a user sees only their own rows, even when filtering for the other user\'s', async (table, key, column) => {
    const own = await select(a.token, { table }).expect(200);
    expect(ids(own)).toContain(a[key].id);
    expect(ids(own)).not.toContain(b[key].id);

    const theirs = await select(a.token, { table, filters: { id: b[key].id } }).expect(200);
    expect(theirs.body).toMatchObject({ data: [], pagination: { total: 0, pages: 0 } });
    const byParent = await select(a.token, { table, filters: { [column]: b[key][column] } }).expect(200);
    expect(byParent.body.data).toEqual([]);
  });

  it('every project a user sees is theirs', async () => {
    const res = await select(b.token, { table: 'projects' }).expect(200);
    expect(res.body.data.length).toBeGreaterThan(0);
    expect(new Set(res.body.data.map((row: RowData) => row.user_id))).toEqual(new Set([b.user.id]));
  });

  it('users: a user reads only their own row', async () => {
    const res = await select(a.token, { table: 'users' }).expect(200);
    expect(ids(res)).toEqual([a.user.id]);
    expect((await select(a.token, { table: 'users', filters: { id: b.user.id } }).expect(200)).body.data).toEqual([]);
    expect((await select(a.token, { table: 'users', filters: { email: b.user.email } }).expect(200)).body.data).toEqual([]);
  });

  it('an admin sees every owner\'s rows, parent-scoped tables included', async () => {
    for (const [table, key] of [['projects', 'project'], ['files', 'file'], ['content_analysis', 'analysis'], ['file_metadata', 'metadata'], ['users', 'user']] as const) {
      const res = await select(admin, { table, filters: { id: { in: [a[key].id, b[key].id] } } }).expect(200);
      expect(new Set(ids(res))).toEqual(new Set([a[key].id, b[key].id]));
    }
  });

  it('never returns secret columns, to anyone, even when asked', async () => {
    for (const token of [a.token, admin]) {
      const users = await select(token, { table: 'users', filters: { id: a.user.id } }).expect(200);
      expect(users.body.data[0]).not.toHaveProperty('password_hash');
      expect(users.body.data[0]).toMatchObject({ id: a.user.id, email: a.user.email });
      const files = await select(token, { table: 'files', filters: { id: a.file.id } }).expect(200);
      expect(files.body.data[0]).not.toHaveProperty('encryption_key_id');
      expect(files.body.data[0]).toMatchObject({ id: a.file.id });
    }
  });

  it.each([
    ['a filter', { table: 'users', filters: { password_hash: { like: '$2b$%' } } }, 'body.filters.password_hash'],
    ['a sort', { table: 'users', sort: [{ column: 'password_hash' }] }, 'body.sort.0.column'],
    ['a field', { table: 'files', fields: ['id', 'encryption_key_id'] }, 'body.fields.1'],
  ])('treats a secret column in %s as unknown, for admins too', async (_part, body, path) => {
    for (const token of [a.token, admin]) {
      const error = expectStandardError(await select(token, body), 400, 'VALIDATION_ERROR');
      expect(error.details.issues).toEqual([{ path, message: expect.stringMatching(/unknown column/) }]);
    }
  });
});
