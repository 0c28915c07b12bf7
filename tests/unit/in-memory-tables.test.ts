import { InMemoryTables, inMemorySession } from '../../src/adapters/in-memory/fakes/in-memory-tables';
import { databaseSessionContract } from '../contract/database-session.contract';
import { sessionSourceContract } from '../contract/session-source.contract';

/** The unit tests' stand-in for the primary's pool: unbounded, with rows that roll back. */
sessionSourceContract('InMemoryTables', async () => ({ source: new InMemoryTables(), close: async () => undefined }));

databaseSessionContract(
  "InMemoryTables' sessions",
  async () => {
    const tables = new InMemoryTables();
    return {
      open: () => tables.openSession(),
      rows: {
        insert: async (session) => void inMemorySession(session).tables.table('probe').push({ n: 1 }),
        count: async () => tables.table('probe').length,
      },
      close: async () => undefined,
    };
  },
  { rows: true, failingStatements: false },
);
