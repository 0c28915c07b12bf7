import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { Client } from 'pg';
import { PgRestoreDatabaseRestorer } from '../../src/adapters/postgres/pg-restore-database-restorer';
import { databaseRestorerContract } from '../contract/database-restorer.contract';
import { scratchDatabase } from '../support/scratch-database';

jest.setTimeout(30_000);

databaseRestorerContract('PgRestoreDatabaseRestorer', async () => {
  // The restorer creates databases beside this scratch one (same server); the archives come from it.
  const source = await scratchDatabase();
  const sql = new Client({ connectionString: source.url });
  await sql.connect();
  const restorer = new PgRestoreDatabaseRestorer({ connectionString: source.url, binDir: undefined, applicationName: 'restorer contract' });
  return {
    restorer,
    archive: async (fileIds): Promise<Readable> => {
      await sql.query('DROP TABLE IF EXISTS files, notes; CREATE TABLE files (id uuid PRIMARY KEY); CREATE TABLE notes (id int)');
      await sql.query('INSERT INTO files SELECT unnest($1::uuid[])', [fileIds]);
      await sql.query('INSERT INTO notes VALUES (1), (2), (3)');
      return spawn('pg_dump', ['--format=custom', `--dbname=${source.url}`], { stdio: ['ignore', 'pipe', 'inherit'] }).stdout;
    },
    drop: async (name) => {
      await sql.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
    close: async () => {
      await sql.end();
      await source.drop();
    },
  };
});
