import { ServiceQueryTimings, type SlowQuery } from '../../src/adapters/in-process/service-query-timings';
import { queryTimingsContract } from '../contract/query-timings.contract';
import { RecordingLogger } from '../support/recording-logger';

queryTimingsContract('ServiceQueryTimings', () => {
  const timings = new ServiceQueryTimings({ slowQueryMs: 0 }, new RecordingLogger());
  return { timings, record: (sql, ms, rows) => timings.record(sql, ms, rows) };
});

describe('ServiceQueryTimings', () => {
  it('logs a statement over the threshold once, normalized, and tells the listeners', () => {
    const logger = new RecordingLogger();
    const timings = new ServiceQueryTimings({ slowQueryMs: 100 }, logger);
    const seen: SlowQuery[] = [];
    timings.onSlowQuery((slow) => seen.push(slow));
    timings.record("UPDATE files SET name = 'secret.pdf' WHERE id = 42", 99, 1);
    timings.record("UPDATE files SET name = 'secret.pdf' WHERE id = 42", 150, 1);
    expect(seen).toEqual([{ query: 'UPDATE files SET name = ? WHERE id = ?', kind: 'update', table: 'files', durationMs: 150 }]);
    const logged = logger.entries.filter((e) => e.msg === 'slow query');
    expect(logged).toHaveLength(1);
    expect(logged[0]!.obj).toMatchObject({ query: 'UPDATE files SET name = ? WHERE id = ?', kind: 'update', table: 'files', duration_ms: 150 });
    expect(JSON.stringify(logger.entries)).not.toContain('secret.pdf');
  });

  it('logs nothing when SLOW_QUERY_MS is 0, yet still keeps the timings', () => {
    const logger = new RecordingLogger();
    const timings = new ServiceQueryTimings({ slowQueryMs: 0 }, logger);
    timings.record('SELECT pg_sleep(10)', 10_000, 1);
    expect(logger.entries).toEqual([]);
    expect(timings.top(1)[0]).toMatchObject({ query: 'SELECT pg_sleep(?)', calls: 1 });
  });

  it('stays bounded, keeping the costliest statements when one-off texts pour in', () => {
    const timings = new ServiceQueryTimings({ slowQueryMs: 0, maxStatements: 10 }, new RecordingLogger());
    timings.record('SELECT * FROM hot', 1_000, 0);
    for (let i = 0; i < 100; i += 1) timings.record(`SELECT * FROM t${i}`, 1, 0);
    const top = timings.top(100);
    expect(top.length).toBeLessThanOrEqual(10);
    expect(top[0]!.query).toBe('SELECT * FROM hot');
  });
});
