import type { DatabaseStatusReader } from '../../src/application/ports/database-status.port';

export interface DatabaseStatusReaderHarness {
  reader: DatabaseStatusReader;
  /** A table the harness's database holds, seq-scanned more than index-scanned. */
  table: string;
  close(): Promise<void>;
}

const nonNegative = (n: number) => expect(n).toBeGreaterThanOrEqual(0);
const aRatio = (r: number | null) => {
  if (r !== null) {
    expect(r).toBeGreaterThanOrEqual(0);
    expect(r).toBeLessThanOrEqual(1);
  }
};

export function databaseStatusReaderContract(name: string, make: () => Promise<DatabaseStatusReaderHarness>): void {
  describe(`DatabaseStatusReader contract: ${name}`, () => {
    let h: DatabaseStatusReaderHarness;
    beforeAll(async () => {
      h = await make();
    });
    afterAll(() => h.close());

    it('names the server version and when it started', async () => {
      const server = await h.reader.server();
      expect(server.version).toMatch(/^\d+/);
      expect(server.startedAt.getTime()).toBeLessThanOrEqual(Date.now());
      nonNegative(server.uptimeSeconds);
    });

    it('lists the database tables with their sizes and scan counts', async () => {
      const db = await h.reader.database();
      expect(db.name).not.toBe('');
      expect(db.sizeBytes).toBeGreaterThan(0);
      const table = db.tables.find((t) => t.name === h.table);
      expect(table).toBeDefined();
      expect(table!.totalBytes).toBeGreaterThan(0);
      for (const t of db.tables) {
        [t.rowsEstimate, t.totalBytes, t.indexBytes, t.seqScans, t.indexScans, t.deadRows].forEach(nonNegative);
        expect(t.indexBytes).toBeLessThanOrEqual(t.totalBytes);
        aRatio(t.cacheHitRatio);
      }
    });

    it('counts connections by state within max_connections', async () => {
      const c = await h.reader.connections();
      expect(Object.values(c.byState).reduce((a, b) => a + b, 0)).toBe(c.total);
      expect(c.maxConnections).toBeGreaterThanOrEqual(c.total);
    });

    it('reports performance counters and a cache ratio within [0, 1]', async () => {
      const p = await h.reader.performance();
      aRatio(p.cacheHitRatio);
      [p.commits, p.rollbacks, p.deadlocks, p.tempFiles, p.tempBytes].forEach(nonNegative);
      if (p.longestRunning) nonNegative(p.longestRunning.ageSeconds);
    });

    it('says whether the server is a primary or a replica', async () => {
      const r = await h.reader.replication();
      expect(['primary', 'replica']).toContain(r.role);
      expect(Array.isArray(r.replicas)).toBe(true);
    });

    it('advises on tables read mostly by sequential scans above the thresholds, and on no table below them', async () => {
      const low = await h.reader.indexUsage({ minRows: 0, minBytes: 0 });
      const table = low.seqScannedTables.find((t) => t.table === h.table);
      expect(table).toBeDefined();
      expect(table!.seqScans).toBeGreaterThan(table!.indexScans);
      const high = await h.reader.indexUsage({ minRows: 1e12, minBytes: 1e15 });
      expect(high.seqScannedTables).toEqual([]);
      for (const i of low.unusedIndexes) nonNegative(i.indexBytes);
    });

    it('lists waiting locks whose blockers are described', async () => {
      const locks = await h.reader.locks();
      const blockers = new Set(locks.blockers.map((b) => b.pid));
      for (const w of locks.waiting) for (const pid of w.blockedBy) expect(blockers.has(pid)).toBe(true);
    });

    it("says whether restricted SQL's role is usable, and names the grants exactly when it is not", async () => {
      const role = await h.reader.readerRole();
      expect(role.role).toBe('vb_sql_reader');
      if (role.usable) {
        expect(role).toMatchObject({ present: true, reason: null, grants: [] });
      } else {
        expect(role.reason).toEqual(expect.any(String));
        expect(role.grants).toContain('GRANT USAGE ON SCHEMA public TO vb_sql_reader;');
        expect(role.grants.some((g) => g.startsWith('CREATE ROLE'))).toBe(!role.present);
      }
      expect(role.grants.join('\n')).not.toMatch(/password_hash/);
    });

    it('answers statement statistics, costliest first, or null where the server keeps none', async () => {
      const stats = await h.reader.statementStats(5);
      if (stats === null) return;
      expect(stats.length).toBeLessThanOrEqual(5);
      for (let i = 1; i < stats.length; i += 1) expect(stats[i - 1]!.totalMs).toBeGreaterThanOrEqual(stats[i]!.totalMs);
    });
  });
}
