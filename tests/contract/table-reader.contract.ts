import { randomUUID } from 'node:crypto';
import type { DatabaseSession } from '../../src/application/ports/database-session.port';
import type { Row, SelectResult, TableReader } from '../../src/application/ports/table-reader.port';
import type { Caller } from '../../src/domain/auth/caller';
import type { RawQuery } from '../../src/domain/database/query-spec';
import { scopeOf } from '../../src/domain/database/row-scope';
import { scopedSelect } from '../../src/domain/database/scoped-select';
import type { SchemaSnapshot } from '../../src/domain/database/table-schema';
import { ValidationFailed, type ValidationIssue } from '../../src/domain/shared/errors';
import { aCaller } from '../support/caller-builder';

/** uuids order as their bytes, hence as their lowercase text. */
const inIdOrder = (a: Row, b: Row) => (String(a.id) < String(b.id) ? -1 : 1);

export interface TableReaderUnderTest {
  reader: TableReader;
  /** The schema of the reader's database (users, projects, content_analysis as shipped). */
  schema: SchemaSnapshot;
  /** Stores rows as given, straight (not through the reader), in order; columns left out take their default. */
  seed(table: string, rows: Row[]): Promise<void>;
  /** A session on the same database, as a lease holds one; the contract releases it. */
  openSession(): Promise<DatabaseSession>;
  close(): Promise<void>;
}

/**
 * What every TableReader promises, PostgreSQL or the fake: the caller's scope (own rows, child rows
 * through their parent), every filter operator, the order (asked keys, then the primary key), pages
 * and totals, and a ValidationFailed naming a filter whose value its column cannot read.
 */
export function tableReaderContract(name: string, make: () => Promise<TableReaderUnderTest>): void {
  describe(`${name} (TableReader contract)`, () => {
    let s: TableReaderUnderTest;
    const alice = aCaller().build();
    const bob = aCaller().build();
    const admin = aCaller().withRole('admin').build();

    const read = (caller: Caller, raw: RawQuery, count = true, session?: DatabaseSession): Promise<SelectResult> =>
      s.reader.select(scopedSelect(raw, s.schema, scopeOf(caller), count), session);
    const titles = async (caller: Caller, raw: Omit<RawQuery, 'table'>) =>
      (await read(caller, { table: 'projects', fields: ['title'], sort: [{ column: 'title' }], ...raw })).rows.map((row) => row.title);
    const project = (owner: Caller, title: string, extra: Row = {}): Row => ({ id: randomUUID(), user_id: owner.userId, title, ...extra });
    const refusal = async (raw: RawQuery): Promise<ValidationIssue[]> => {
      const error: unknown = await read(alice, raw).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ValidationFailed);
      return (error as ValidationFailed).details.issues as ValidationIssue[];
    };

    beforeEach(async () => {
      s = await make();
      await s.seed('users', [alice, bob].map((caller) => ({ id: caller.userId, email: `${caller.userId}@example.com`, password_hash: 'h' })));
    });
    afterEach(() => s.close());

    it('returns exactly the asked fields, in primary key order when no sort is asked', async () => {
      const rows = [project(alice, 'one'), project(alice, 'two'), project(bob, 'three')];
      const byId = [...rows].sort(inIdOrder);
      await s.seed('projects', [...byId].reverse());
      const result = await read(admin, { table: 'projects', fields: ['title', 'id'] });
      expect(result.total).toBe(3);
      expect(result.rows).toEqual(byId.map((row) => ({ title: row.title, id: row.id })));
      result.rows.forEach((row) => expect(Object.keys(row)).toEqual(['title', 'id']));
    });

    it('scopes a user to the rows they own, and their own user row; an admin reads every row', async () => {
      await s.seed('projects', [project(alice, 'a1'), project(bob, 'b1'), project(alice, 'a2')]);
      expect(await titles(alice, {})).toEqual(['a1', 'a2']);
      expect(await titles(bob, {})).toEqual(['b1']);
      expect(await titles(admin, {})).toEqual(['a1', 'a2', 'b1']);
      await expect(read(alice, { table: 'projects', fields: ['title'] })).resolves.toMatchObject({ total: 2 });
      expect((await read(alice, { table: 'users', fields: ['id'] })).rows).toEqual([{ id: alice.userId }]);
      expect((await read(admin, { table: 'users', fields: ['id'] })).total).toBe(2);
    });

    it("scopes a child table through its parent's owner", async () => {
      const [mine, theirs] = [project(alice, 'mine'), project(bob, 'theirs')];
      await s.seed('projects', [mine, theirs]);
      const analysis = (projectId: unknown, type: string): Row => ({ id: randomUUID(), project_id: projectId, analysis_type: type, result: { n: 1 } });
      await s.seed('content_analysis', [analysis(mine.id, 'a'), analysis(theirs.id, 'b'), analysis(null, 'orphan')]);
      const types = async (caller: Caller) =>
        (await read(caller, { table: 'content_analysis', fields: ['analysis_type'], sort: [{ column: 'analysis_type' }] })).rows.map((r) => r.analysis_type);
      expect(await types(alice)).toEqual(['a']);
      expect(await types(bob)).toEqual(['b']);
      expect(await types(admin)).toEqual(['a', 'b', 'orphan']);
    });

    it('applies every filter operator, all the filters of a query together', async () => {
      const rows = [['p1', 'draft'], ['p2', 'active'], ['q3', null]].map(([title, status]) => project(alice, title as string, { status }));
      await s.seed('projects', [...rows, project(bob, 'p1', { status: 'draft' })]);
      expect(await titles(alice, { filters: { title: 'p1' } })).toEqual(['p1']);
      expect(await titles(alice, { filters: { status: { neq: 'draft' } } })).toEqual(['p2']);
      expect(await titles(alice, { filters: { title: { in: ['p1', 'q3', 'zz'] } } })).toEqual(['p1', 'q3']);
      expect(await titles(alice, { filters: { title: { like: 'p%' } } })).toEqual(['p1', 'p2']);
      expect(await titles(alice, { filters: { title: { ilike: 'P_' } } })).toEqual(['p1', 'p2']);
      expect(await titles(alice, { filters: { title: { gt: 'p1', lte: 'q3' } } })).toEqual(['p2', 'q3']);
      expect(await titles(alice, { filters: { title: { gte: 'p2' } } })).toEqual(['p2', 'q3']);
      expect(await titles(alice, { filters: { title: { lt: 'p2' } } })).toEqual(['p1']);
      expect(await titles(alice, { filters: { status: null } })).toEqual(['q3']);
      expect(await titles(alice, { filters: { status: { is_null: false } } })).toEqual(['p1', 'p2']);
      expect(await titles(alice, { filters: { title: { like: 'p%' }, status: 'draft' } })).toEqual(['p1']);
    });

    it("compares text with its case (but ilike), uuids whatever their case, and reads LIKE's backslash as an escape", async () => {
      const [sale, plain] = [project(alice, '50% Off'), project(alice, '50 Off')];
      await s.seed('projects', [sale, plain]);
      // Sorted here rather than by the database: how '%' and ' ' order depends on its collation.
      const matching = async (filters: RawQuery['filters']) => (await titles(alice, { filters })).sort();
      expect(await matching({ title: '50 off' })).toEqual([]);
      expect(await matching({ title: { like: '50 off' } })).toEqual([]);
      expect(await matching({ title: { ilike: '50 off' } })).toEqual(['50 Off']);
      expect(await matching({ id: String(sale.id).toUpperCase() })).toEqual(['50% Off']);
      expect(await matching({ id: { in: [String(plain.id).toUpperCase()] } })).toEqual(['50 Off']);
      expect(await matching({ title: { like: '50\\%%' } })).toEqual(['50% Off']);
      expect(await matching({ title: { like: '50%' } })).toEqual(['50 Off', '50% Off']);
    });

    it('sorts by the asked keys, NULLs last ascending and first descending, ties by primary key', async () => {
      const rows = [['t1', 'b'], ['t2', null], ['t3', 'a'], ['t4', 'b']].map(([title, status]) => project(alice, title as string, { status }));
      await s.seed('projects', rows);
      const tiedB = rows.filter((r) => r.status === 'b').sort(inIdOrder).map((r) => r.title);
      const sorted = async (direction: string) => (await read(alice, { table: 'projects', fields: ['title'], sort: [{ column: 'status', direction }] })).rows.map((r) => r.title);
      expect(await sorted('asc')).toEqual(['t3', ...tiedB, 't2']);
      expect(await sorted('desc')).toEqual(['t2', ...tiedB, 't3']);
      expect(await titles(alice, { sort: [{ column: 'status', direction: 'desc' }, { column: 'title', direction: 'desc' }] })).toEqual(['t2', 't4', 't1', 't3']);
    });

    it('pages by limit and offset, counting every match on every page; the total is null unless counted', async () => {
      await s.seed('projects', ['c', 'a', 'e', 'b', 'd'].map((title) => project(alice, title)));
      const page = (n: number, count = true) => read(alice, { table: 'projects', fields: ['title'], sort: [{ column: 'title' }], page: n, limit: 2 }, count);
      await expect(page(1)).resolves.toEqual({ rows: [{ title: 'a' }, { title: 'b' }], total: 5 });
      await expect(page(3)).resolves.toEqual({ rows: [{ title: 'e' }], total: 5 });
      await expect(page(4)).resolves.toEqual({ rows: [], total: 5 });
      await expect(page(2, false)).resolves.toEqual({ rows: [{ title: 'c' }, { title: 'd' }], total: null });
      await expect(read(bob, { table: 'projects' })).resolves.toEqual({ rows: [], total: 0 });
    });

    it("refuses a filter value its column's type cannot read, naming that filter", async () => {
      // PostgreSQL finds a bad LIKE pattern only when it matches it against a row.
      await s.seed('projects', [project(alice, 'any title')]);
      expect(await refusal({ table: 'projects', filters: { id: 'not-a-uuid' } })).toEqual([{ path: 'filters.id.eq', message: expect.any(String) }]);
      expect(await refusal({ table: 'projects', filters: { title: 'fine', id: { in: [randomUUID(), 'nope'] } } })).toEqual([{ path: 'filters.id.in', message: expect.any(String) }]);
      expect(await refusal({ table: 'projects', filters: { title: { like: '%\\' } } })).toEqual([{ path: 'filters.title.like', message: expect.any(String) }]);
    });

    it('reads through a session as through the pool', async () => {
      await s.seed('projects', [project(alice, 'a1'), project(bob, 'b1')]);
      const session = await s.openSession();
      try {
        const query = { table: 'projects', fields: ['id', 'title'] };
        await expect(read(alice, query, true, session)).resolves.toEqual(await read(alice, query));
        await expect(read(alice, query, true, session)).resolves.toMatchObject({ rows: [{ title: 'a1' }], total: 1 });
      } finally {
        await session.release();
      }
    });
  });
}
