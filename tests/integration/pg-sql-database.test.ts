import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { pgClientOf } from '../../src/adapters/postgres/pg-database-session';
import { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { databaseSessionContract } from '../contract/database-session.contract';
import { sessionSourceContract } from '../contract/session-source.contract';
import { sqlDatabaseContract } from '../contract/sql-database.contract';
import { freePort } from '../support/free-port';
import { RecordingLogger } from '../support/recording-logger';
import { currentRun } from '../support/run-resources';

/** A short connect timeout keeps the exhausted-pool and unreachable-server cases quick. */
const aPool = (url: string, max = 2) =>
  new PgSqlDatabase({ connectionString: url, min: 0, max, idleTimeoutMs: 1_000, connectTimeoutMs: 300, statementTimeoutMs: 30_000, applicationName: 'vb-test-sql' }, new RecordingLogger());

sqlDatabaseContract('PgSqlDatabase', async () => {
  const db = aPool(currentRun().databaseUrl);
  return {
    db,
    max: 2,
    unreachable: async () => {
      const url = new URL(currentRun().databaseUrl);
      url.port = String(await freePort());
      return aPool(url.toString());
    },
    close: () => db.close(),
  };
});

sessionSourceContract(
  'PgSqlDatabase',
  async () => {
    const db = aPool(currentRun().databaseUrl);
    return { source: db, close: () => db.close() };
  },
  { max: 2 },
);

describe('PgDatabaseSession', () => {
  const table = `session_probe_${randomBytes(6).toString('hex')}`;
  let observer: Client;
  beforeAll(async () => {
    observer = new Client({ connectionString: currentRun().databaseUrl });
    await observer.connect();
    await observer.query(`CREATE TABLE ${table} (n INT NOT NULL)`);
  });
  afterAll(async () => {
    await observer.query(`DROP TABLE IF EXISTS ${table}`);
    await observer.end();
  });

  databaseSessionContract(
    "PgSqlDatabase's sessions",
    async () => {
      const db = aPool(currentRun().databaseUrl, 3);
      return {
        open: () => db.openSession(),
        rows: {
          insert: async (session) => void (await pgClientOf(session).query(`INSERT INTO ${table} (n) VALUES (1)`)),
          count: async () => Number((await observer.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n),
        },
        failAStatement: async (session) => void (await pgClientOf(session).query('SELECT 1 / 0').catch(() => undefined)),
        close: () => db.close(),
      };
    },
    { rows: true, failingStatements: true },
  );
});
