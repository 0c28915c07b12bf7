import { buildSelectSql } from '../../src/adapters/postgres/pg-select-sql';
import { castType, ident } from '../../src/adapters/postgres/pg-sql-text';
import type { RawQuery } from '../../src/domain/database/query-spec';
import type { RowScope } from '../../src/domain/database/row-scope';
import { scopedSelect } from '../../src/domain/database/scoped-select';
import { shippedLikeSchema } from '../support/schema-fixture';

const ALICE = '3f1d2c4b-5a6e-4f70-8123-456789abcdef';
const sqlOf = (raw: RawQuery, scope: RowScope = { kind: 'all' }, count = true) => buildSelectSql(scopedSelect(raw, shippedLikeSchema(), scope, count));

describe('buildSelectSql', () => {
  it('binds every value, cast to the column type without its modifiers', () => {
    const { page } = sqlOf({ table: 'projects', filters: { title: 'x', status: { neq: 'y' }, created_at: { gte: '2024-01-01', lt: '2024-02-01' } } });
    expect(page.text).toBe(
      'SELECT t."id", t."user_id", t."title", t."status", t."created_at", count(*) OVER () AS "__vb_total" FROM "projects" t WHERE t."title" = $1::character varying AND t."status" <> $2::character varying' +
        ' AND t."created_at" >= $3::timestamp without time zone AND t."created_at" < $4::timestamp without time zone ORDER BY t."id" ASC LIMIT $5 OFFSET $6',
    );
    expect(page.values).toEqual(['x', 'y', '2024-01-01', '2024-02-01', 20, 0]);
  });

  it('writes in as = ANY of a typed array, like/ilike on text, is_null without a parameter', () => {
    const { page } = sqlOf({ table: 'projects', filters: { id: { in: ['a', 'b'] }, title: { ilike: '%x%' }, status: { like: 'd%' }, user_id: null, created_at: { is_null: false } } });
    expect(page.text).toContain('t."id" = ANY($1::uuid[])');
    expect(page.text).toContain('t."title"::text ILIKE $2::text AND t."status"::text LIKE $3::text');
    expect(page.text).toContain('t."user_id" IS NULL AND t."created_at" IS NOT NULL');
    expect(page.values.slice(0, 3)).toEqual([['a', 'b'], '%x%', 'd%']);
  });

  it('orders as asked, then by the primary key; pages with bound limit and offset', () => {
    const { page } = sqlOf({ table: 'projects', sort: [{ column: 'status', direction: 'desc' }, { column: 'title' }], page: 3, limit: 10 });
    expect(page.text).toMatch(/ORDER BY t."status" DESC, t."title" ASC, t."id" ASC LIMIT \$1 OFFSET \$2$/);
    expect(page.values).toEqual([10, 20]);
  });

  it('counts with the same WHERE and parameters, without order or paging, only when asked', () => {
    const sql = sqlOf({ table: 'projects', filters: { status: 'draft' } });
    expect(sql.count).toEqual({ text: 'SELECT count(*) AS total FROM "projects" t WHERE t."status" = $1::character varying', values: ['draft'] });
    expect(sqlOf({ table: 'projects' }, { kind: 'all' }, false).count).toBeNull();
    expect(sqlOf({ table: 'projects' }, { kind: 'all' }, false).page.text).not.toContain('OVER');
  });

  it('scopes an owned table by its owner column, users by id, a child table through its parent', () => {
    const scope: RowScope = { kind: 'owner', userId: ALICE };
    expect(sqlOf({ table: 'projects', filters: { status: 'draft' } }, scope).count!.text).toBe(
      'SELECT count(*) AS total FROM "projects" t WHERE t."status" = $1::character varying AND t."user_id" = $2::uuid',
    );
    expect(sqlOf({ table: 'users' }, scope).count!.text).toContain('WHERE t."id" = $1::uuid');
    expect(sqlOf({ table: 'content_analysis' }, scope).count).toEqual({
      text: 'SELECT count(*) AS total FROM "content_analysis" t WHERE EXISTS (SELECT 1 FROM "projects" p WHERE p."id" = t."project_id" AND p."user_id" = $1::uuid)',
      values: [ALICE],
    });
  });

  it('never selects secret columns by default', () => {
    expect(sqlOf({ table: 'users' }).page.text).toMatch(/^SELECT t."id", t."email", count\(\*\) OVER \(\) AS "__vb_total" FROM/);
  });
});

describe('castType and ident', () => {
  it.each([
    ['character varying(255)', 'character varying'],
    ['numeric(3,2)', 'numeric'],
    ['timestamp(6) without time zone', 'timestamp without time zone'],
    ['character varying(100)[]', 'character varying[]'],
    ['uuid', 'uuid'],
  ])('casts %s as %s', (type, cast) => expect(castType(type)).toBe(cast));

  it('refuses a type that could be anything but a type name', () => {
    expect(() => castType("text; DROP TABLE x; --")).toThrow(/unexpected column type/);
  });

  it('quotes identifiers, doubling quotes', () => {
    expect(ident('a"b')).toBe('"a""b"');
  });
});
