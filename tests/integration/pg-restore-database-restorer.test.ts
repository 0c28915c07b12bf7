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

describe('PgRestoreDatabaseRestorer over a database in use', () => {
  let source: Awaited<ReturnType<typeof scratchDatabase>>;
  let sql: Client;
  let restorer: PgRestoreDatabaseRestorer;
  const archive = async (ids: string[]): Promise<Readable> => {
    await sql.query('DROP TABLE IF EXISTS files; CREATE TABLE files (id uuid PRIMARY KEY)');
    await sql.query('INSERT INTO files SELECT unnest($1::uuid[])', [ids]);
    return spawn('pg_dump', ['--format=custom', `--dbname=${source.url}`], { stdio: ['ignore', 'pipe', 'inherit'] }).stdout;
  };
  const target = `vb_restore_over_${process.pid}`;
  const targetUrl = () => source.url.replace(/\/[^/?]+(\?|$)/, `/${target}$1`);
  const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];

  beforeAll(async () => {
    source = await scratchDatabase();
    sql = new Client({ connectionString: source.url });
    await sql.connect();
    restorer = new PgRestoreDatabaseRestorer({ connectionString: source.url, binDir: undefined, applicationName: 'restorer locks' });
    await sql.query(`DROP DATABASE IF EXISTS "${target}" WITH (FORCE)`);
    await restorer.createDatabase(target);
    await restorer.restoreInto(target, await archive([ids[0]!]));
  });
  afterAll(async () => {
    await sql.query(`DROP DATABASE IF EXISTS "${target}" WITH (FORCE)`);
    await sql.end();
    await source.drop();
  });

  it('ends a session idle in a transaction that holds a lock, instead of waiting on it forever', async () => {
    const holder = new Client({ connectionString: targetUrl() });
    holder.on('error', () => undefined);
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT count(*) FROM files');
    await restorer.restoreOver(target, await archive(ids), 2_000);
    expect([...(await restorer.existingFileIds(target, ids))].sort()).toEqual(ids);
    await expect(holder.query('SELECT 1')).rejects.toThrow();
    await holder.end().catch(() => undefined);
  });

  it('fails within the lock timeout behind a busy session, leaving the database as it was', async () => {
    const busy = new Client({ connectionString: targetUrl() });
    await busy.connect();
    await busy.query('BEGIN');
    await busy.query('LOCK TABLE files IN ACCESS SHARE MODE');
    const sleeping = busy.query('SELECT pg_sleep(4)');
    const started = Date.now();
    await expect(restorer.restoreOver(target, await archive([ids[1]!]), 500)).rejects.toThrow(/waited more than 500 ms for a lock held by/);
    expect(Date.now() - started).toBeLessThan(4_000);
    await sleeping;
    await busy.query('ROLLBACK');
    await busy.end();
    expect([...(await restorer.existingFileIds(target, ids))].sort()).toEqual(ids);
  });
});
