import type { SchemaCatalog } from '../../src/application/ports/schema-catalog.port';
import type { ColumnSchema, TableSchema } from '../../src/domain/database/table-schema';

export interface SchemaCatalogUnderTest {
  /** A catalog not yet used, over a database without tables. */
  catalog: SchemaCatalog;
  /** Migrates the database (not through the catalog) to hold WIDGETS as described. */
  createWidgets(): Promise<void>;
  close(): Promise<void>;
}

const column = (name: string, type: string, nullable: boolean, hasDefault: boolean): [string, ColumnSchema] => [name, { name, type, nullable, hasDefault }];

/**
 * The table every adapter is asked to describe: each column with PostgreSQL's own spelling of its
 * type, in table order; the primary key; every unique key (constraint or index).
 */
export const WIDGETS: TableSchema = {
  name: 'widgets',
  columns: new Map([
    column('id', 'uuid', false, true),
    column('name', 'character varying(50)', false, false),
    column('code', 'text', true, false),
    column('size', 'numeric(5,2)', true, false),
    column('labels', 'jsonb', true, true),
    column('made_at', 'timestamp without time zone', true, true),
  ]),
  primaryKey: ['id'],
  uniqueKeys: [['id'], ['code'], ['name', 'size']],
};

/** Unique keys in one order, as the catalog promises none. */
const comparable = (table: TableSchema | undefined) =>
  table && { ...table, columns: [...table.columns.values()], uniqueKeys: table.uniqueKeys.map((key) => key.join(',')).sort() };

/**
 * What every SchemaCatalog promises, PostgreSQL or the fake: the tables as the database has them,
 * introspected on first use and then kept, so a schema change is seen only once refreshed.
 */
export function schemaCatalogContract(name: string, make: () => Promise<SchemaCatalogUnderTest>): void {
  describe(`${name} (SchemaCatalog contract)`, () => {
    let s: SchemaCatalogUnderTest;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(() => s.close());

    it('describes each table: its columns in order with type, nullability and default, its primary key and unique keys', async () => {
      await s.createWidgets();
      const snapshot = await s.catalog.snapshot();
      expect([...snapshot.tables.keys()]).toEqual(['widgets']);
      expect(comparable(snapshot.tables.get('widgets'))).toEqual(comparable(WIDGETS));
      expect([...(snapshot.tables.get('widgets')?.columns.keys() ?? [])]).toEqual([...WIDGETS.columns.keys()]);
    });

    it('keeps answering its last introspection until refreshed, then answers the new one', async () => {
      const before = await s.catalog.snapshot();
      expect(before.tables.has('widgets')).toBe(false);
      await s.createWidgets();
      await expect(s.catalog.snapshot()).resolves.toBe(before);
      const refreshed = await s.catalog.refresh();
      expect(refreshed.tables.has('widgets')).toBe(true);
      await expect(s.catalog.snapshot()).resolves.toBe(refreshed);
      expect(before.tables.has('widgets')).toBe(false);
    });

    it('answers concurrent first calls with one introspection', async () => {
      const [a, b] = await Promise.all([s.catalog.snapshot(), s.catalog.snapshot()]);
      expect(a).toBe(b);
    });
  });
}
