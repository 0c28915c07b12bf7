import { Client } from 'pg';
import { PgEncryptedColumnStore } from '../../src/adapters/postgres/pg-encrypted-column-store';
import { migratedScratchDatabase, type MigratedScratchDatabase } from '../support/migrated-scratch-database';
import { encryptedColumnStoreContract, type StoredRow } from '../contract/encrypted-column-store.contract';

/** A database of its own, with the shipped migrations (set_updated_at keeps updated_at when told to). */
let scratch: MigratedScratchDatabase;
let sql: Client;

beforeAll(async () => {
  scratch = await migratedScratchDatabase();
  sql = new Client({ connectionString: scratch.url });
  await sql.connect();
  await sql.query(`CREATE TABLE vault (id SERIAL PRIMARY KEY, secret TEXT, secret_bidx TEXT, note TEXT, updated_at TIMESTAMP DEFAULT '2001-02-03')`);
  await sql.query('CREATE TRIGGER trg_vault_updated_at BEFORE UPDATE ON vault FOR EACH ROW EXECUTE FUNCTION set_updated_at()');
});
afterAll(async () => {
  await sql.end();
  await scratch.close();
});

encryptedColumnStoreContract('PgEncryptedColumnStore', async () => {
  await sql.query('TRUNCATE vault RESTART IDENTITY');
  return {
    store: new PgEncryptedColumnStore(scratch.db),
    set: {
      table: 'vault',
      key: { column: 'id', type: 'integer' },
      columns: [
        { table: 'vault', column: 'secret', blindIndex: 'secret_bidx' },
        { table: 'vault', column: 'note', blindIndex: null },
      ],
    },
    seed: async (rows: StoredRow[]) => {
      const keys: string[] = [];
      for (const row of rows) {
        const { rows: inserted } = await sql.query('INSERT INTO vault (secret, secret_bidx, note) VALUES ($1, $2, $3) RETURNING id::text', [row.secret, row.secret_bidx, row.note]);
        keys.push(inserted[0].id);
      }
      return keys;
    },
    read: async (key) => (await sql.query('SELECT secret, secret_bidx, note, updated_at FROM vault WHERE id = $1', [key])).rows[0],
    overwrite: async (key, values) => {
      await sql.query('UPDATE vault SET secret = $2, secret_bidx = $3 WHERE id = $1', [key, values.secret, values.secret_bidx]);
    },
    close: async () => undefined,
  };
});
