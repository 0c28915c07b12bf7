import type { SqlDatabase } from '../../src/application/ports/sql-database.port';
import { DatabaseTimeout, DatabaseUnavailable } from '../../src/domain/shared/errors';

export interface SqlDatabaseUnderTest {
  db: SqlDatabase;
  /** Clients the pool holds at most. */
  max: number;
  /** The same adapter, pointed at a server that cannot be reached. */
  unreachable(): Promise<SqlDatabase>;
  close(): Promise<void>;
}

/**
 * What every SqlDatabase promises the health check and the metrics: a ping that really goes to the
 * server and gives its client back, pool figures that add up, and domain errors (not driver errors)
 * when the server cannot be reached. `make` gives a database with nothing checked out.
 */
export function sqlDatabaseContract(name: string, make: () => Promise<SqlDatabaseUnderTest>): void {
  describe(`${name} (SqlDatabase contract)`, () => {
    let s: SqlDatabaseUnderTest;
    const unreachable: SqlDatabase[] = [];
    beforeEach(async () => {
      s = await make();
    });
    afterEach(async () => {
      await Promise.all(unreachable.splice(0).map((db) => db.close()));
      await s.close();
    });

    const expectAtRest = () => {
      const stats = s.db.poolStats();
      expect(stats).toMatchObject({ active: 0, waiting: 0, max: s.max });
      expect(stats.total).toBe(stats.active + stats.idle);
    };

    it('pings the server and gives the client back', async () => {
      await expect(s.db.ping()).resolves.toBeUndefined();
      expectAtRest();
      expect(s.db.poolStats().idle).toBeGreaterThanOrEqual(1);
    });

    it('answers more pings at once than it has clients, never holding more than max', async () => {
      const pings = Array.from({ length: s.max * 3 }, () => s.db.ping());
      expect(s.db.poolStats().total).toBeLessThanOrEqual(s.max);
      await expect(Promise.all(pings)).resolves.toHaveLength(s.max * 3);
      expectAtRest();
      expect(s.db.poolStats().total).toBeLessThanOrEqual(s.max);
    });

    it('fails a ping with DatabaseUnavailable or DatabaseTimeout when the server cannot be reached', async () => {
      const db = await s.unreachable();
      unreachable.push(db);
      const error = await db.ping().catch((e: unknown) => e);
      expect([DatabaseUnavailable, DatabaseTimeout].some((type) => error instanceof type)).toBe(true);
      expect(db.poolStats()).toMatchObject({ active: 0, waiting: 0 });
    });
  });
}
