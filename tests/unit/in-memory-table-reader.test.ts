import { InMemoryTableReader } from '../../src/adapters/in-memory/fakes/in-memory-table-reader';
import { InMemoryTables } from '../../src/adapters/in-memory/fakes/in-memory-tables';
import type { Row } from '../../src/application/ports/table-reader.port';
import { tableReaderContract } from '../contract/table-reader.contract';
import { shippedSchema } from '../support/table-schemas';

tableReaderContract('InMemoryTableReader', async () => {
  const tables = new InMemoryTables();
  const schema = shippedSchema();
  return {
    reader: new InMemoryTableReader(tables),
    schema,
    // Every column of the table, the ones not given as null: the fake has no column defaults.
    seed: async (table: string, rows: Row[]) => {
      const columns = [...(schema.tables.get(table)?.columns.keys() ?? [])];
      for (const row of rows) tables.table(table).push({ ...Object.fromEntries(columns.map((c) => [c, null])), ...row });
    },
    openSession: () => tables.openSession(),
    close: async () => undefined,
  };
});
