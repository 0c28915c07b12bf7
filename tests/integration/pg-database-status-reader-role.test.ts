import { PgDatabaseStatusReader } from '../../src/adapters/postgres/pg-database-status-reader';
import { migratedScratchDatabase, type MigratedScratchDatabase } from '../support/migrated-scratch-database';
import { startOwnCluster } from '../support/own-postgres-cluster';
import { testPgDatabase } from '../support/pg-database';

jest.setTimeout(60_000);

describe("PgDatabaseStatusReader.readerRole: restricted SQL's role", () => {
  it('is usable on a migrated database of the shared server, and the switch does not outlive the read', async () => {
    const scratch: MigratedScratchDatabase = await migratedScratchDatabase();
    try {
      const role = await new PgDatabaseStatusReader(scratch.db, 5_000).readerRole();
      expect(role).toMatchObject({ role: 'vb_sql_reader', present: true, usable: true, reason: null, grants: [] });
      expect(role.readableTables).toEqual(expect.arrayContaining(['files', 'projects', 'users']));
      expect(role.readableTables).not.toContain('schema_migrations');
      // Every pooled connection is still the service's own user afterwards.
      const users = await Promise.all([1, 2, 3].map(() => scratch.db.withClient(async (c) => (await c.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u)));
      expect(new Set(users)).toEqual(new Set(['postgres']));
    } finally {
      await scratch.close();
    }
  });

  it('is missing on a server where no migration created it: not usable, with every statement to run, secrets left out', async () => {
    const cluster = await startOwnCluster();
    const own = testPgDatabase(cluster.url);
    try {
      await own.withClient((c) => c.query('CREATE TABLE users (id uuid PRIMARY KEY, email text, password_hash text); CREATE TABLE schema_migrations (version text)'));
      const role = await new PgDatabaseStatusReader(own, 5_000).readerRole();
      expect(role).toMatchObject({ role: 'vb_sql_reader', present: false, usable: false, readableTables: [] });
      expect(role.reason).toMatch(/does not exist/);
      expect(role.grants).toEqual([
        'CREATE ROLE vb_sql_reader NOLOGIN;',
        'GRANT vb_sql_reader TO "postgres";',
        'GRANT USAGE ON SCHEMA public TO vb_sql_reader;',
        'GRANT SELECT ("id", "email") ON public."users" TO vb_sql_reader;',
      ]);

      // Run as given, they make it usable.
      await own.withClient(async (c) => {
        for (const statement of role.grants) await c.query(statement);
      });
      expect(await new PgDatabaseStatusReader(own, 5_000).readerRole()).toMatchObject({ present: true, usable: true, readableTables: ['users'], grants: [] });
    } finally {
      await own.close();
      await cluster.stop();
    }
  });
});
