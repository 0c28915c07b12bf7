import type { QueryTimings } from '../../src/application/ports/query-timings.port';

export interface QueryTimingsHarness {
  timings: QueryTimings;
  /** Reports one statement run, as the pools do. */
  record(sql: string, durationMs: number, rows: number): void;
}

export function queryTimingsContract(name: string, make: () => QueryTimingsHarness): void {
  describe(`QueryTimings contract: ${name}`, () => {
    it('answers nothing before any statement ran', () => {
      expect(make().timings.top(10)).toEqual([]);
    });

    it('aggregates calls, total, mean, max and rows per statement', () => {
      const h = make();
      h.record('SELECT * FROM files WHERE id = $1', 10, 1);
      h.record('SELECT * FROM files WHERE id = $1', 30, 0);
      expect(h.timings.top(10)).toEqual([{ query: 'SELECT * FROM files WHERE id = $1', calls: 2, totalMs: 40, meanMs: 20, maxMs: 30, rows: 1 }]);
    });

    it('merges texts that differ only by their literals, and never shows a literal', () => {
      const h = make();
      h.record("SELECT * FROM users WHERE email = 'a@example.com'", 5, 1);
      h.record("SELECT * FROM users WHERE email = 'b@example.com'", 7, 1);
      const [top] = h.timings.top(10);
      expect(top).toMatchObject({ query: 'SELECT * FROM users WHERE email = ?', calls: 2, totalMs: 12 });
      expect(JSON.stringify(h.timings.top(10))).not.toContain('example.com');
    });

    it('lists the costliest first, at most `limit`', () => {
      const h = make();
      h.record('SELECT 1 FROM a', 5, 0);
      h.record('SELECT 1 FROM b', 50, 0);
      h.record('SELECT 1 FROM c', 20, 0);
      expect(h.timings.top(2).map((s) => s.query)).toEqual(['SELECT ? FROM b', 'SELECT ? FROM c']);
    });
  });
}
