import request from 'supertest';
import { expectStandardError } from '../support/error-body';
import { SeedRows, type RowData } from '../support/seed-rows';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

/** Selects over HTTP as one user who owns 25 projects, so every assertion sees only this file's rows. */
describe('POST /api/v1/data/query (postgresql select)', () => {
  let t: TestApp;
  let seed: SeedRows;
  let token: string;
  let owner: RowData;
  let projects: RowData[];
  const query = (body: object) =>
    request(t.app).post('/api/v1/data/query').set(bearer(token)).send({ database: 'postgresql', query_type: 'select', table: 'projects', cache: 'bypass', ...body });
  const titles = (res: request.Response) => res.body.data.map((row: RowData) => row.title);

  beforeAll(async () => {
    t = await buildTestApp();
    seed = await SeedRows.connect();
    owner = await seed.user();
    token = await aToken({ sub: owner.id as string });
    projects = [];
    for (let i = 0; i < 25; i++) {
      const status = ['draft', 'active', 'completed'][i % 3];
      const created = new Date(Date.UTC(2024, 0, 1 + i)).toISOString();
      projects.push(await seed.project(owner.id as string, { title: `P${String(i).padStart(2, '0')}`, status, created_at: created, description: i % 5 === 0 ? null : `about ${i}` }));
    }
  });
  afterAll(async () => {
    await seed.close();
    await t.close();
  });

  it('answers the seed shape: data, pagination with total and pages, execution time, cache indicator', async () => {
    const res = await query({ sort: [{ column: 'title' }] }).expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['cache', 'data', 'execution_time_ms', 'pagination']);
    expect(res.body.pagination).toEqual({ page: 1, limit: 20, total: 25, pages: 2 });
    expect(res.body.data).toHaveLength(20);
    expect(res.body.cache).toBe('bypass');
    expect(res.body.execution_time_ms).toEqual(expect.any(Number));
  });

  it('filters by equality with a plain value', async () => {
    const res = await query({ filters: { status: 'active' }, sort: [{ column: 'title' }] }).expect(200);
    expect(titles(res)).toEqual(projects.filter((p) => p.status === 'active').map((p) => p.title));
  });

  it.each([
    ['neq', { status: { neq: 'draft' } }, (p: RowData) => p.status !== 'draft'],
    ['gt', { title: { gt: 'P20' } }, (p: RowData) => (p.title as string) > 'P20'],
    ['gte', { title: { gte: 'P20' } }, (p: RowData) => (p.title as string) >= 'P20'],
    ['lt', { title: { lt: 'P03' } }, (p: RowData) => (p.title as string) < 'P03'],
    ['lte', { title: { lte: 'P03' } }, (p: RowData) => (p.title as string) <= 'P03'],
    ['in', { status: { in: ['active', 'completed'] } }, (p: RowData) => p.status !== 'draft'],
    ['like', { title: { like: 'P1%' } }, (p: RowData) => (p.title as string).startsWith('P1')],
    ['ilike', { title: { ilike: 'p2_' } }, (p: RowData) => (p.title as string).startsWith('P2')],
    ['is_null true', { description: { is_null: true } }, (p: RowData) => p.description === null],
    ['is_null false', { description: { is_null: false } }, (p: RowData) => p.description !== null],
    ['null as a plain value', { description: null }, (p: RowData) => p.description === null],
    ['a timestamp range', { created_at: { gte: '2024-01-10', lt: '2024-01-13' } }, (p: RowData) => ['P09', 'P10', 'P11'].includes(p.title as string)],
  ])('filters with %s', async (_name, filters, keep) => {
    const res = await query({ filters, sort: [{ column: 'title' }], pagination: { limit: 100 } }).expect(200);
    const expected = projects.filter(keep).map((p) => p.title);
    expect(expected.length).toBeGreaterThan(0);
    expect(titles(res)).toEqual(expected);
    expect(res.body.pagination.total).toBe(expected.length);
  });

  it('filters uuids with in, each value cast to the column type', async () => {
    const ids = [projects[3]!.id, projects[7]!.id];
    const res = await query({ filters: { id: { in: ids } }, sort: [{ column: 'title' }] }).expect(200);
    expect(titles(res)).toEqual(['P03', 'P07']);
  });

  it('sorts by several keys, each way', async () => {
    const res = await query({ sort: [{ column: 'status', direction: 'desc' }, { column: 'title', direction: 'asc' }], pagination: { limit: 100 } }).expect(200);
    const expected = [...projects].sort((a, b) => (a.status === b.status ? ((a.title as string) < (b.title as string) ? -1 : 1) : (a.status as string) < (b.status as string) ? 1 : -1));
    expect(titles(res)).toEqual(expected.map((p) => p.title));
  });

  it('returns only the fields asked for', async () => {
    const res = await query({ fields: ['id', 'title'], filters: { title: 'P00' } }).expect(200);
    expect(res.body.data).toEqual([{ id: projects[0]!.id, title: 'P00' }]);
  });

  it('pages: page 2 of 3 with limit 10, the last page partial, a page past the end empty', async () => {
    const page = (n: number) => query({ sort: [{ column: 'title' }], pagination: { page: n, limit: 10 } }).expect(200);
    const [second, third, fourth] = await Promise.all([page(2), page(3), page(4)]);
    expect(second.body.pagination).toEqual({ page: 2, limit: 10, total: 25, pages: 3 });
    expect(titles(second)).toEqual(projects.slice(10, 20).map((p) => p.title));
    expect(titles(third)).toHaveLength(5);
    expect(fourth.body).toMatchObject({ data: [], pagination: { page: 4, total: 25, pages: 3 } });
  });

  it('skips counting with count "none": total and pages are null', async () => {
    const res = await query({ count: 'none', pagination: { limit: 5 } }).expect(200);
    expect(res.body.pagination).toEqual({ page: 1, limit: 5, total: null, pages: null });
    expect(res.body.data).toHaveLength(5);
  });

  it('limits to 20 by default and accepts 100, refusing 101 and 0 naming pagination.limit', async () => {
    expect((await query({}).expect(200)).body.data).toHaveLength(20);
    expect((await query({ pagination: { limit: 100 } }).expect(200)).body.data).toHaveLength(25);
    for (const limit of [101, 0, 2.5]) {
      const error = expectStandardError(await query({ pagination: { limit } }), 400, 'VALIDATION_ERROR');
      expect(error.details.issues).toEqual([expect.objectContaining({ path: 'body.pagination.limit' })]);
    }
  });

  it.each([
    ['an unknown table', { table: 'no_such_table' }, 'body.table'],
    ['an unknown filter column', { filters: { colour: 'red' } }, 'body.filters.colour'],
    ['an unknown operator', { filters: { status: { regex: 'a.*' } } }, 'body.filters.status.regex'],
    ['an unknown sort column', { sort: [{ column: 'colour' }] }, 'body.sort.0.column'],
    ['a bad sort direction', { sort: [{ column: 'title', direction: 'sideways' }] }, 'body.sort.0.direction'],
    ['an unknown field', { fields: ['id', 'colour'] }, 'body.fields.1'],
    ['a wrong operator value', { filters: { status: { in: 'active' } } }, 'body.filters.status'],
    ['another query type', { query_type: 'delete' }, 'body.query_type'],
    ['an unknown body field', { where: '1=1' }, 'body'],
  ])('refuses %s with a 400 naming it', async (_name, body, path) => {
    const error = expectStandardError(await query(body), 400, 'VALIDATION_ERROR');
    expect((error.details.issues as Array<{ path: string }>).map((i) => i.path)).toContain(path);
  });

  it('refuses a value the column type rejects with a 400 naming the filter, not a 500', async () => {
    for (const [filters, path] of [
      [{ id: 'not-a-uuid' }, 'body.filters.id.eq'],
      [{ created_at: { gt: 'yesterday-ish' } }, 'body.filters.created_at.gt'],
      [{ status: 'draft', id: { in: [projects[0]!.id, 'nope'] } }, 'body.filters.id.in'],
      [{ title: { like: 'P\\' } }, 'body.filters.title.like'],
    ] as const) {
      const error = expectStandardError(await query({ filters }), 400, 'VALIDATION_ERROR');
      expect(error.details.issues).toEqual([expect.objectContaining({ path })]);
    }
  });

  it('documents every filter operator in the OpenAPI document', async () => {
    const doc = (await request(t.app).get('/api/v1/openapi.json').expect(200)).body;
    expect(doc.paths['/api/v1/data/query'].post.security).toEqual([{ bearerAuth: [] }]);
    const operators = doc.components.schemas.FilterOperators.properties;
    expect(Object.keys(operators).sort()).toEqual(['eq', 'gt', 'gte', 'ilike', 'in', 'is_null', 'like', 'lt', 'lte', 'neq']);
    for (const operator of Object.values(operators)) expect(operator).toHaveProperty('description');
    expect(doc.paths['/api/v1/contracts/user/{user_id}'].get).toBeDefined();
    expect(doc.paths['/api/v1/contracts/project/{project_id}'].get).toBeDefined();
  });

  it('needs a token, and accepts every role', async () => {
    await request(t.app).post('/api/v1/data/query').send({ database: 'postgresql', query_type: 'select', table: 'projects' }).expect(401);
    for (const role of ['premium', 'admin'] as const) {
      const other = await aToken({ role, sub: owner.id as string });
      await request(t.app).post('/api/v1/data/query').set(bearer(other)).send({ database: 'postgresql', query_type: 'select', table: 'projects', pagination: { limit: 1 } }).expect(200);
    }
  });
});
