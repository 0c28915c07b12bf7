import { PgConnectionPools } from '../../src/adapters/postgres/pg-connection-pools';
import { pgClientOf } from '../../src/adapters/postgres/pg-database-session';
import { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { connectionPoolsContract } from '../contract/connection-pools.contract';
import { databaseSessionContract } from '../contract/database-session.contract';
import { RecordingLogger } from '../support/recording-logger';
import { currentRun } from '../support/run-resources';
import { scratchDatabase } from '../support/scratch-database';

const aPool = (url: string, max = 2) =>
  new PgSqlDatabase({ connectionString: url, min: 0, max, idleTimeoutMs: 1_000, connectTimeoutMs: 300, statementTimeoutMs: 30_000, applicationName: 'vb-test-leases' }, new RecordingLogger());

connectionPoolsContract('PgConnectionPools', async () => {
  const url = currentRun().databaseUrl;
  const db = aPool(url);
  return { pools: new PgConnectionPools({ db, url }, null), max: 2, close: () => db.close() };
});

databaseSessionContract(
  "PgConnectionPools' lease sessions",
  async () => {
    const url = currentRun().databaseUrl;
    const db = aPool(url);
    const pools = new PgConnectionPools({ db, url }, null);
    return {
      open: () => pools.openSession('write'),
      failAStatement: async (session) => void (await pgClientOf(session).query('SELECT 1 / 0').catch(() => undefined)),
      close: () => db.close(),
    };
  },
  { rows: false, failingStatements: true },
);

describe('PgConnectionPools with a read replica', () => {
  let replica: Awaited<ReturnType<typeof scratchDatabase>>;
  let primaryDb: PgSqlDatabase;
  let replicaDb: PgSqlDatabase;
  let pools: PgConnectionPools;
  beforeAll(async () => {
    replica = await scratchDatabase();
    primaryDb = aPool(currentRun().databaseUrl);
    replicaDb = aPool(replica.url);
    pools = new PgConnectionPools({ db: primaryDb, url: currentRun().databaseUrl }, { db: replicaDb, url: replica.url });
  });
  afterAll(async () => {
    await Promise.all([primaryDb.close(), replicaDb.close()]);
    await replica.drop();
  });

  const databaseOf = async (operation: 'read' | 'write') => {
    const session = await pools.openSession(operation);
    try {
      return (await pgClientOf(session).query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
    } finally {
      await session.release();
    }
  };

  it('opens read sessions on the replica and write sessions on the primary', async () => {
    expect(await databaseOf('read')).toBe(replica.name);
    expect(await databaseOf('write')).toBe(new URL(currentRun().databaseUrl).pathname.slice(1));
    expect(new URL(pools.publicUrl('read')).pathname).toBe(`/${replica.name}`);
  });

  it('reports the stats of the pool the operation uses', async () => {
    const session = await pools.openSession('read');
    expect(pools.stats('read').active).toBe(1);
    expect(pools.stats('write').active).toBe(0);
    await session.release();
  });
});

describe('PgConnectionPools public URL', () => {
  it('drops the password of the connection string', async () => {
    const url = new URL(currentRun().databaseUrl);
    // Trust authentication ignores a password, so the URL still connects if the run's had none.
    if (!url.password) url.password = 'hidden-s3cret';
    const db = aPool(url.toString());
    const pools = new PgConnectionPools({ db, url: url.toString() }, null);
    try {
      const session = await pools.openSession('write');
      await session.release();
      expect(pools.publicUrl('write')).not.toContain(url.password);
      expect(new URL(pools.publicUrl('write')).host).toBe(url.host);
    } finally {
      await db.close();
    }
  });
});

describe('a pg client that outlives its lease', () => {
  it('carries no lease listener once released back to the pool', async () => {
    const url = currentRun().databaseUrl;
    const db = aPool(url, 1);
    const pools = new PgConnectionPools({ db, url }, null);
    try {
      const first = await pools.openSession('write');
      const client = pgClientOf(first);
      const withLease = client.listenerCount('error');
      await first.release();
      const second = await pools.openSession('write');
      // The same client, reused: one lease listener, not two.
      expect(pgClientOf(second)).toBe(client);
      expect(client.listenerCount('error')).toBe(withLease);
      await second.release();
    } finally {
      await db.close();
    }
  });
});

