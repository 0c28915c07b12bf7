import request from 'supertest';
import { expectStandardError } from '../support/error-body';
import { SeedRows, type RowData } from '../support/seed-rows';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

const DROP = "'; DROP TABLE projects; --";

/**
 * SQL injection through every part of a query. Names are checked against the catalog (so any trick
 * is an unknown name, 400); values are bound parameters (so any trick is just data). After each
 * attempt the projects table must still be there with its rows.
 */
describe('POST /api/v1/data/query refuses or neutralizes SQL injection', () => {
  let t: TestApp;
  let seed: SeedRows;
  let admin: string;
  let owner: RowData;
  let tricky: RowData;
  const query = (body: object) =>
    request(t.app).post('/api/v1/data/query').set(bearer(admin)).send({ database: 'postgresql', query_type: 'select', table: 'projects', cache: 'bypass', ...body });
  const projectsIntact = async () => {
    const { rows } = await seed.sql.query('SELECT to_regclass($1) IS NOT NULL AS present, (SELECT count(*)::int FROM projects WHERE user_id = $2) AS mine', ['public.projects', owner.id]);
    expect(rows[0]).toEqual({ present: true, mine: 2 });
  };

  beforeAll(async () => {
    t = await buildTestApp();
    seed = await SeedRows.connect();
    admin = await aToken({ role: 'admin' });
    owner = await seed.user();
    tricky = await seed.project(owner.id as string, { title: DROP });
    await seed.project(owner.id as string, { title: 'plain' });
  });
  afterEach(() => projectsIntact());
  afterAll(async () => {
    await seed.close();
    await t.close();
  });

  it.each([
    ['table', { table: 'projects; DROP TABLE projects; --' }, 'body.table'],
    ['table (quoted)', { table: '"projects"' }, 'body.table'],
    ['table (another schema)', { table: 'pg_catalog.pg_authid' }, 'body.table'],
    ['table (the service bookkeeping)', { table: 'schema_migrations' }, 'body.table'],
    ['filter column', { filters: { "status = 'x' OR 1=1 --": 'a' } }, "body.filters.status = 'x' OR 1=1 --"],
    ['filter column (quote breaking)', { filters: { 'title" IS NOT NULL OR "1': 'a' } }, 'body.filters.title" IS NOT NULL OR "1'],
    ['operator', { filters: { title: { '= title OR 1=1 --': 'x' } } }, 'body.filters.title.= title OR 1=1 --'],
    ['sort column', { sort: [{ column: 'title; DROP TABLE projects' }] }, 'body.sort.0.column'],
    ['sort column (expression)', { sort: [{ column: '(SELECT 1)' }] }, 'body.sort.0.column'],
    ['sort direction', { sort: [{ column: 'title', direction: 'ASC; DROP TABLE projects' }] }, 'body.sort.0.direction'],
    ['field', { fields: ['id', 'title FROM projects; DROP TABLE projects; --'] }, 'body.fields.1'],
    ['field (star)', { fields: ['*'] }, 'body.fields.0'],
    ['limit', { pagination: { limit: '10; DROP TABLE projects' } }, 'body.pagination.limit'],
  ])('through the %s: 400 naming it, nothing run', async (_part, body, path) => {
    const error = expectStandardError(await query(body), 400, 'VALIDATION_ERROR');
    expect((error.details.issues as Array<{ path: string }>).map((i) => i.path)).toContain(path);
  });

  it('through a value: the text is data, matched literally', async () => {
    const res = await query({ filters: { title: DROP } }).expect(200);
    expect(res.body.data.map((row: RowData) => row.id)).toEqual([tricky.id]);
  });

  it.each([
    ['eq with a quote', { title: "plain' OR '1'='1" }],
    ['like with a quote', { title: { like: "%' OR '1'='1" } }],
    ['in with quotes and braces', { title: { in: ['plain"}', "x'); DROP TABLE projects; --"] } }],
    ['gt with an OR', { title: { gt: "zzz' OR title > '" } }],
  ])('through a value (%s): no match, no error', async (_name, filters) => {
    const res = await query({ filters: { user_id: owner.id, ...filters } }).expect(200);
    expect(res.body.data).toEqual([]);
  });

  it('through a uuid value: 400 naming the filter, never a 500', async () => {
    const error = expectStandardError(await query({ filters: { id: "1' OR '1'='1" } }), 400, 'VALIDATION_ERROR');
    expect(error.details.issues).toEqual([expect.objectContaining({ path: 'body.filters.id.eq' })]);
  });

  it('through a JSON value: a JSON column compares to JSON, never runs it', async () => {
    const error = expectStandardError(await query({ filters: { settings: DROP } }), 400, 'VALIDATION_ERROR');
    expect(error.details.issues).toEqual([expect.objectContaining({ path: 'body.filters.settings.eq' })]);
    await query({ filters: { settings: '{"a": 1}' } }).expect(200);
  });
});
