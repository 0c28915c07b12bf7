import type {
  DatabaseFacts,
  DatabaseStatusReader,
  IndexAdviceThresholds,
  IndexUsage,
  LockFacts,
  PerformanceFacts,
  ReaderRoleFacts,
  ReplicationFacts,
  ServerConnections,
  ServerFacts,
} from '../../../application/ports/database-status.port';
import type { StatementStats } from '../../../application/ports/query-timings.port';

export interface StatusFacts {
  server: ServerFacts;
  database: DatabaseFacts;
  connections: ServerConnections;
  performance: PerformanceFacts;
  replication: ReplicationFacts;
  indexUsage: IndexUsage;
  locks: LockFacts;
  statements: StatementStats[] | null;
  readerRole: ReaderRoleFacts;
}

type Failure = 'throws' | 'hangs';

/**
 * Canned server facts for tests, any part of which can be made to fail or hang (to show the report
 * staying whole). Index advice applies the thresholds as the real reader does.
 */
export class InMemoryDatabaseStatusReader implements DatabaseStatusReader {
  readonly facts: StatusFacts;
  private readonly failures = new Map<keyof DatabaseStatusReader, Failure>();

  constructor(facts: Partial<StatusFacts> = {}) {
    const now = new Date();
    this.facts = {
      server: { version: '15.8', startedAt: new Date(now.getTime() - 60_000), uptimeSeconds: 60 },
      database: {
        name: 'visiobook_test',
        sizeBytes: 8 * 1024 * 1024,
        tables: [
          {
            schema: 'public',
            name: 'files',
            rowsEstimate: 20_000,
            totalBytes: 4 * 1024 * 1024,
            indexBytes: 1024 * 1024,
            seqScans: 40,
            indexScans: 2,
            deadRows: 0,
            cacheHitRatio: 0.99,
            lastVacuum: null,
            lastAutovacuum: null,
            lastAnalyze: null,
            lastAutoanalyze: now,
          },
        ],
      },
      connections: { byState: { active: 1, idle: 2 }, total: 3, maxConnections: 100 },
      performance: { cacheHitRatio: 0.99, commits: 10, rollbacks: 0, deadlocks: 0, tempFiles: 0, tempBytes: 0, longestRunning: null },
      replication: { role: 'primary', replicas: [], replayLagSeconds: null },
      indexUsage: { seqScannedTables: [], unusedIndexes: [{ schema: 'public', table: 'files', index: 'files_label_idx', indexBytes: 8192 }] },
      locks: { waiting: [], blockers: [] },
      statements: null,
      readerRole: { role: 'vb_sql_reader', present: true, usable: true, reason: null, readableTables: ['files', 'users'], grants: [] },
      ...facts,
    };
  }

  /** Makes `part` throw (with a message that must never reach a client) or never answer. */
  fail(part: keyof DatabaseStatusReader, how: Failure): void {
    this.failures.set(part, how);
  }

  server(): Promise<ServerFacts> {
    return this.answer('server', this.facts.server);
  }

  database(): Promise<DatabaseFacts> {
    return this.answer('database', this.facts.database);
  }

  connections(): Promise<ServerConnections> {
    return this.answer('connections', this.facts.connections);
  }

  performance(): Promise<PerformanceFacts> {
    return this.answer('performance', this.facts.performance);
  }

  replication(): Promise<ReplicationFacts> {
    return this.answer('replication', this.facts.replication);
  }

  indexUsage(thresholds: IndexAdviceThresholds): Promise<IndexUsage> {
    const seqScannedTables = this.facts.database.tables
      .filter((t) => t.seqScans > t.indexScans && (t.rowsEstimate >= thresholds.minRows || t.totalBytes - t.indexBytes >= thresholds.minBytes))
      .map((t) => ({ schema: t.schema, table: t.name, seqScans: t.seqScans, indexScans: t.indexScans, rowsEstimate: t.rowsEstimate, tableBytes: t.totalBytes - t.indexBytes }));
    return this.answer('indexUsage', { seqScannedTables, unusedIndexes: this.facts.indexUsage.unusedIndexes });
  }

  locks(): Promise<LockFacts> {
    return this.answer('locks', this.facts.locks);
  }

  statementStats(limit: number): Promise<StatementStats[] | null> {
    const statements = this.facts.statements && [...this.facts.statements].sort((a, b) => b.totalMs - a.totalMs).slice(0, limit);
    return this.answer('statementStats', statements);
  }

  readerRole(): Promise<ReaderRoleFacts> {
    return this.answer('readerRole', this.facts.readerRole);
  }

  private answer<T>(part: keyof DatabaseStatusReader, value: T): Promise<T> {
    const failure = this.failures.get(part);
    if (failure === 'hangs') return new Promise<T>(() => undefined);
    if (failure === 'throws') return Promise.reject(new Error(`connect ECONNREFUSED db.internal:5432 password=hunter2 (${part})`));
    return Promise.resolve(value);
  }
}
