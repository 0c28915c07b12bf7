import { GetDatabaseStatus } from '../../src/application/database/ops/get-database-status';
import type { BackupHistory, CompletedBackupSummary } from '../../src/application/ports/backup-history.port';
import type { SqlDatabase } from '../../src/application/ports/sql-database.port';
import { InMemoryDatabaseStatusReader } from '../../src/adapters/in-memory/fakes/in-memory-database-status-reader';
import { ServiceQueryTimings } from '../../src/adapters/in-process/service-query-timings';
import { FakeClock } from '../support/fake-clock';
import { RecordingLogger } from '../support/recording-logger';

const pool = (waiting: number): SqlDatabase => ({
  ping: async () => undefined,
  close: async () => undefined,
  poolStats: () => ({ active: 5, idle: 0, waiting, total: 5, max: 5 }),
});

function world(options: { reader?: InMemoryDatabaseStatusReader; backup?: CompletedBackupSummary | null; replica?: boolean } = {}) {
  const reader = options.reader ?? new InMemoryDatabaseStatusReader();
  const timings = new ServiceQueryTimings({ slowQueryMs: 0 }, new RecordingLogger());
  const backups: BackupHistory = { lastCompleted: async () => options.backup ?? null };
  const clock = new FakeClock(new Date('2024-01-15T10:30:00Z'));
  const logger = new RecordingLogger();
  const useCase = new GetDatabaseStatus(
    reader,
    timings,
    backups,
    { primary: pool(3), replica: options.replica ? pool(0) : null },
    { countByOperation: () => ({ read: 1, write: 2 }) },
    clock,
    logger,
    { partTimeoutMs: 100, slowQueryLimit: 2, indexAdvice: { minRows: 10_000, minBytes: 8 * 1024 * 1024 } },
  );
  return { useCase, reader, timings, logger };
}

describe('GetDatabaseStatus', () => {
  it("uses the server's statement statistics when it keeps them", async () => {
    const reader = new InMemoryDatabaseStatusReader({
      statements: [
        { query: 'SELECT ? FROM a', calls: 1, totalMs: 5, meanMs: 5, maxMs: 5, rows: 1 },
        { query: 'SELECT ? FROM b', calls: 2, totalMs: 50, meanMs: 25, maxMs: 30, rows: 2 },
        { query: 'SELECT ? FROM c', calls: 1, totalMs: 1, meanMs: 1, maxMs: 1, rows: 0 },
      ],
    });
    const status = await world({ reader }).useCase.execute();
    expect(status.slowQueries).toMatchObject({ available: true, source: 'pg_stat_statements' });
    expect(status.slowQueries.available && status.slowQueries.statements.map((s) => s.query)).toEqual(['SELECT ? FROM b', 'SELECT ? FROM a']);
  });

  it("falls back to the service's own timings, and says so", async () => {
    const w = world();
    w.timings.record("SELECT * FROM files WHERE name = 'x'", 12, 1);
    const status = await w.useCase.execute();
    expect(status.slowQueries).toEqual({
      available: true,
      source: 'service',
      statements: [{ query: 'SELECT * FROM files WHERE name = ?', calls: 1, totalMs: 12, meanMs: 12, maxMs: 12, rows: 1 }],
    });
  });

  it('reports the pools (primary and replica) with their waiting callers and the leases held', async () => {
    const status = await world({ replica: true }).useCase.execute();
    expect(status.connections).toMatchObject({
      available: true,
      pools: [expect.objectContaining({ name: 'primary', waiting: 3 }), expect.objectContaining({ name: 'replica', waiting: 0 })],
      leasesOpen: { read: 1, write: 2 },
    });
  });

  it('advises an index for a large sequentially-scanned table and explains each unused index', async () => {
    const status = await world().useCase.execute();
    if (!status.indexAdvice.available) throw new Error('index advice unavailable');
    expect(status.indexAdvice.seqScannedTables).toEqual([expect.objectContaining({ table: 'files', seqScans: 40, indexScans: 2 })]);
    expect(status.indexAdvice.seqScannedTables[0]!.suggestion).toMatch(/index/i);
    expect(status.indexAdvice.unusedIndexes[0]!.suggestion).toMatch(/DROP INDEX CONCURRENTLY/);
  });

  it('gives the last backup with its age, or null when none completed', async () => {
    const backup: CompletedBackupSummary = { id: 'bk_1', kind: 'scheduled', completedAt: new Date('2024-01-15T09:30:00Z'), sizeBytes: 1234 };
    expect((await world({ backup }).useCase.execute()).lastBackup).toEqual({ available: true, backup: { ...backup, ageSeconds: 3600 } });
    expect((await world().useCase.execute()).lastBackup).toEqual({ available: true, backup: null });
  });

  it('bounds each part: one that hangs or throws says why, the rest answer, the cause goes to the log only', async () => {
    const w = world();
    w.reader.fail('server', 'hangs');
    w.reader.fail('database', 'throws');
    const status = await w.useCase.execute();
    expect(status.server).toEqual({ available: false, reason: 'no answer within 100ms' });
    expect(status.database).toEqual({ available: false, reason: 'could not be read (see the service log)' });
    expect(status.performance).toMatchObject({ available: true });
    expect(w.logger.entries).toEqual([expect.objectContaining({ level: 'warn', obj: expect.objectContaining({ part: 'database' }) })]);
  });
});
