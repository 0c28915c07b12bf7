import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { PgConnectionPools } from '../../src/adapters/postgres/pg-connection-pools';
import { pgClientOf } from '../../src/adapters/postgres/pg-database-session';
import type { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { LeaseNotFound } from '../../src/domain/database/lease';
import { TransactionAborted } from '../../src/domain/shared/errors';
import { leaseSessionsContract } from '../contract/lease-sessions.contract';
import { aCaller } from '../support/caller-builder';
import { leasesWorld } from '../support/leases-world';
import { testPgDatabase } from '../support/pg-database';
import { RecordingLogger } from '../support/recording-logger';
import { currentRun } from '../support/run-resources';

leaseSessionsContract('RegistryLeaseSessions over PgConnectionPools', async () => {
  const url = currentRun().databaseUrl;
  const db = testPgDatabase(url);
  const w = leasesWorld({ pools: new PgConnectionPools({ db, url }, null) });
  const owner = aCaller().build();
  const { lease } = await w.acquire.execute({ caller: owner, serviceName: 'svc', databaseType: 'postgresql', operationType: 'write' });
  return {
    leases: w.sessions,
    connectionId: lease.id,
    owner,
    stranger: aCaller().build(),
    applied: () => w.postCommit.applied,
    close: async () => {
      await w.reap.releaseAll();
      await db.close();
    },
  };
});

/** Leases over the run's real PostgreSQL: what a transaction on a lease shows to other connections. */
describe('interactive transactions on a leased PostgreSQL connection', () => {
  const table = `lease_probe_${randomUUID().replace(/-/g, '')}`;
  let db: PgSqlDatabase;
  let observer: Client;
  let w: ReturnType<typeof leasesWorld>;
  const caller = aCaller().build();

  beforeAll(async () => {
    const url = currentRun().databaseUrl;
    db = testPgDatabase(url);
    observer = new Client({ connectionString: url });
    await observer.connect();
    await observer.query(`CREATE TABLE ${table} (id SERIAL PRIMARY KEY, label TEXT NOT NULL UNIQUE)`);
    w = leasesWorld({ pools: new PgConnectionPools({ db, url }, null) });
  });
  afterAll(async () => {
    await w.reap.releaseAll();
    await observer.query(`DROP TABLE IF EXISTS ${table}`);
    await observer.end();
    await db.close();
  });

  const acquire = async (ttlSeconds?: number) =>
    (await w.acquire.execute({ caller, serviceName: 'svc', databaseType: 'postgresql', operationType: 'write', ttlSeconds })).lease.id;
  const insert = (id: string, label: string) =>
    w.sessions.use(id, caller, async ({ session }) => void (await pgClientOf(session).query(`INSERT INTO ${table} (label) VALUES ($1)`, [label])));
  const visible = async (label: string) => (await observer.query(`SELECT 1 FROM ${table} WHERE label = $1`, [label])).rowCount === 1;

  it('keeps an open transaction invisible to other connections until commit', async () => {
    const id = await acquire();
    await w.begin.execute({ caller, connectionId: id });
    await insert(id, 'committed-row');
    // The lease itself sees its own write across requests.
    const own = await w.sessions.use(id, caller, async ({ session }) => (await pgClientOf(session).query(`SELECT count(*)::int AS n FROM ${table} WHERE label = 'committed-row'`)).rows[0].n);
    expect(own).toBe(1);
    expect(await visible('committed-row')).toBe(false);
    await w.commit.execute({ caller, connectionId: id });
    expect(await visible('committed-row')).toBe(true);
  });

  it('discards the transaction on rollback', async () => {
    const id = await acquire();
    await w.begin.execute({ caller, connectionId: id });
    await insert(id, 'rolled-back-row');
    await w.rollback.execute({ caller, connectionId: id });
    expect(await visible('rolled-back-row')).toBe(false);
  });

  it('reports a commit after a failed statement as TransactionAborted, keeping nothing', async () => {
    const id = await acquire();
    await w.begin.execute({ caller, connectionId: id });
    await insert(id, 'before-failure');
    await expect(insert(id, 'committed-row')).rejects.toMatchObject({ code: '23505' }); // a raw pg error: this test runs SQL itself
    await expect(w.commit.execute({ caller, connectionId: id })).rejects.toBeInstanceOf(TransactionAborted);
    expect(await visible('before-failure')).toBe(false);
    // The connection is clean again.
    await insert(id, 'after-failure');
    expect(await visible('after-failure')).toBe(true);
  });

  it('rolls back what an expired lease left open when the reaper releases it', async () => {
    const id = await acquire(5);
    await w.begin.execute({ caller, connectionId: id });
    await insert(id, 'expired-row');
    w.clock.advance(5_000);
    const reaped = await w.reap.execute();
    expect(reaped).toContainEqual({ connectionId: id, reason: 'expired', rolledBack: true });
    expect(await visible('expired-row')).toBe(false);
    await expect(insert(id, 'too-late')).rejects.toBeInstanceOf(LeaseNotFound);
  });

  it('releases the lock an open transaction held, so other connections go on', async () => {
    const id = await acquire();
    await w.begin.execute({ caller, connectionId: id });
    await w.sessions.use(id, caller, async ({ session }) => void (await pgClientOf(session).query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`)));
    const blocked = observer.query(`SELECT count(*) FROM ${table}`);
    await w.release.execute({ caller, connectionId: id, serviceName: 'svc' });
    await expect(blocked).resolves.toMatchObject({ rowCount: 1 });
  });
});
