import { Client } from 'pg';
import { PgDatabaseStatusReader } from '../../src/adapters/postgres/pg-database-status-reader';
import type { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { databaseStatusReaderContract } from '../contract/database-status-reader.contract';
import { eventually } from '../support/eventually';
import { startOwnCluster } from '../support/own-postgres-cluster';
import { testPgDatabase } from '../support/pg-database';
import { scratchDatabase } from '../support/scratch-database';

/** A table of 20k rows read by sequential scans only, and an index nobody uses; statistics flushed. */
async function seed(url: string): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('CREATE TABLE scanned (id int, label text)');
    await c.query("INSERT INTO scanned SELECT g, 'row ' || g FROM generate_series(1, 20000) g");
    await c.query('CREATE INDEX scanned_label_idx ON scanned (label)');
    await c.query('ANALYZE scanned');
    for (let i = 0; i < 3; i += 1) await c.query('SELECT count(*) FROM scanned WHERE id % 7 = 3');
    await c.query('SELECT pg_stat_force_next_flush()');
  } finally {
    await c.end();
  }
}

let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let db: PgSqlDatabase;

databaseStatusReaderContract('PgDatabaseStatusReader (shared server)', async () => {
  scratch = await scratchDatabase();
  await seed(scratch.url);
  db = testPgDatabase(scratch.url);
  return {
    reader: new PgDatabaseStatusReader(db, 5_000),
    table: 'scanned',
    close: async () => {
      await db.close();
      await scratch.drop();
    },
  };
});

describe('PgDatabaseStatusReader', () => {
  let scratchDb: Awaited<ReturnType<typeof scratchDatabase>>;
  let pool: PgSqlDatabase;
  beforeAll(async () => {
    scratchDb = await scratchDatabase();
    await seed(scratchDb.url);
    pool = testPgDatabase(scratchDb.url);
  });
  afterAll(async () => {
    await pool.close();
    await scratchDb.drop();
  });

  it('names unused non-unique indexes, never a primary key or unique one', async () => {
    const c = new Client({ connectionString: scratchDb.url });
    await c.connect();
    await c.query('CREATE TABLE keyed (id int PRIMARY KEY, code text UNIQUE)');
    await c.end();
    const usage = await new PgDatabaseStatusReader(pool, 5_000).indexUsage({ minRows: 10_000, minBytes: 8 * 1024 * 1024 });
    expect(usage.unusedIndexes.map((i) => i.index)).toContain('scanned_label_idx');
    expect(usage.unusedIndexes.map((i) => i.table)).not.toContain('keyed');
    expect(usage.seqScannedTables).toEqual([expect.objectContaining({ schema: 'public', table: 'scanned', rowsEstimate: 20_000, indexScans: 0 })]);
  });

  it('shows who waits for a lock and who blocks it, with normalized statements', async () => {
    const holder = new Client({ connectionString: scratchDb.url });
    const waiter = new Client({ connectionString: scratchDb.url });
    await holder.connect();
    await waiter.connect();
    try {
      const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await holder.query('BEGIN');
      await holder.query("UPDATE scanned SET label = 'held-secret' WHERE id = 1");
      const waiterPid = (await waiter.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const blocked = waiter.query("UPDATE scanned SET label = 'waiting-secret' WHERE id = 1");
      const reader = new PgDatabaseStatusReader(pool, 5_000);
      const locks = await eventually('the waiter to show in pg_locks', async () => {
        const l = await reader.locks();
        return l.waiting.some((w) => w.pid === waiterPid) ? l : undefined;
      });
      const waiting = locks.waiting.find((w) => w.pid === waiterPid)!;
      expect(waiting.blockedBy).toEqual([holderPid]);
      expect(waiting.query).toBe('UPDATE scanned SET label = ? WHERE id = ?');
      expect(locks.blockers).toEqual([expect.objectContaining({ pid: holderPid, state: 'idle in transaction', query: 'UPDATE scanned SET label = ? WHERE id = ?' })]);
      expect(JSON.stringify(locks)).not.toMatch(/secret/);
      const perf = await reader.performance();
      expect(perf.longestRunning).toMatchObject({ pid: waiterPid, query: 'UPDATE scanned SET label = ? WHERE id = ?' });
      await holder.query('ROLLBACK');
      await blocked;
    } finally {
      await holder.end();
      await waiter.end();
    }
  });

  it('answers null statement statistics on a server without pg_stat_statements loaded, even with the extension created', async () => {
    const c = new Client({ connectionString: scratchDb.url });
    await c.connect();
    const created = await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements').then(
      () => true,
      () => false,
    );
    await c.end();
    expect(created).toBe(true);
    expect(await new PgDatabaseStatusReader(pool, 5_000).statementStats(10)).toBeNull();
  });

  it('cuts a part off at its statement timeout on the server', async () => {
    const reader = new PgDatabaseStatusReader(pool, 50);
    const c = new Client({ connectionString: scratchDb.url });
    await c.connect();
    await c.query('BEGIN');
    await c.query('LOCK TABLE scanned IN ACCESS EXCLUSIVE MODE');
    try {
      await expect(reader.database()).rejects.toThrow();
    } finally {
      await c.query('ROLLBACK');
      await c.end();
    }
  });
});

describe('PgDatabaseStatusReader with pg_stat_statements preloaded (own cluster)', () => {
  it('reads the server statement statistics, normalized, costliest first', async () => {
    const cluster = await startOwnCluster({ shared_preload_libraries: 'pg_stat_statements' });
    const own = testPgDatabase(cluster.url);
    try {
      await own.withClient(async (c) => {
        await c.query('CREATE EXTENSION pg_stat_statements');
        await c.query("SELECT pg_sleep(0.05), 'literal-secret' AS s");
        await c.query('SELECT count(*) FROM pg_class WHERE relname = $1', ['x']);
      });
      const stats = await new PgDatabaseStatusReader(own, 5_000).statementStats(50);
      expect(stats).not.toBeNull();
      const sleep = stats!.find((s) => s.query.startsWith('SELECT pg_sleep'));
      expect(sleep).toMatchObject({ calls: 1 });
      expect(sleep!.maxMs).toBeGreaterThanOrEqual(40);
      expect(JSON.stringify(stats)).not.toContain('literal-secret');
      for (let i = 1; i < stats!.length; i += 1) expect(stats![i - 1]!.totalMs).toBeGreaterThanOrEqual(stats![i]!.totalMs);
    } finally {
      await own.close();
      await cluster.stop();
    }
  }, 30_000);
});
