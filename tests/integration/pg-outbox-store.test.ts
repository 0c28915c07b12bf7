import { Client } from 'pg';
import { PgOutboxStore, RELAY_LOCK_KEY } from '../../src/adapters/postgres/pg-outbox-store';
import type { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { migratedScratchDatabase, type MigratedScratchDatabase } from '../support/migrated-scratch-database';
import { outboxStoreContract } from '../contract/outbox-store.contract';

/** A database of its own: the relay under test must not take (or leave) entries of the API tests. */
let scratch: MigratedScratchDatabase;
let db: PgSqlDatabase;
let sql: Client;

beforeAll(async () => {
  scratch = await migratedScratchDatabase();
  db = scratch.db;
  sql = new Client({ connectionString: scratch.url });
  await sql.connect();
});
afterAll(async () => {
  await sql.end();
  await scratch.close();
});

outboxStoreContract('PgOutboxStore', async () => {
  await sql.query('TRUNCATE data_outbox RESTART IDENTITY');
  return {
    store: new PgOutboxStore(db, db, 200),
    begin: async () => {
      const session = await db.openSession();
      await session.begin();
      return session;
    },
    elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    // Another instance's relay: the same transaction-level advisory lock, on a connection of its own.
    holdRelayLock: async () => {
      const other = new Client({ connectionString: scratch.url });
      await other.connect();
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock($1::bigint)', [RELAY_LOCK_KEY]);
      return async () => {
        await other.query('COMMIT');
        await other.end();
      };
    },
    close: async () => undefined,
  };
});
