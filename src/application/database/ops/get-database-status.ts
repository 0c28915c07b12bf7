import type { LeaseOperation } from '../../../domain/database/lease';
import type { BackupHistory, CompletedBackupSummary } from '../../ports/backup-history.port';
import type { Clock } from '../../ports/clock.port';
import type {
  DatabaseFacts,
  DatabaseStatusReader,
  IndexAdviceThresholds,
  LockFacts,
  PerformanceFacts,
  ReaderRoleFacts,
  ReplicationFacts,
  SeqScannedTable,
  ServerConnections,
  ServerFacts,
  UnusedIndex,
} from '../../ports/database-status.port';
import type { Logger } from '../../ports/logger.port';
import type { StatementStats, QueryTimings } from '../../ports/query-timings.port';
import type { PoolStats, SqlDatabase } from '../../ports/sql-database.port';
import { boundedPart, type Part } from './bounded-part';

export interface ServicePool extends PoolStats {
  name: 'primary' | 'replica';
}

/** The service's side of the connections: always known, even when the server cannot be asked. */
export interface ServiceConnections {
  pools: ServicePool[];
  leasesOpen: Record<LeaseOperation, number>;
}

export type ConnectionsPart = (({ available: true } & ServerConnections) | { available: false; reason: string }) & ServiceConnections;

export interface SlowQueries {
  source: 'pg_stat_statements' | 'service';
  statements: StatementStats[];
}

export interface IndexAdvice {
  thresholds: IndexAdviceThresholds;
  seqScannedTables: Array<SeqScannedTable & { suggestion: string }>;
  unusedIndexes: Array<UnusedIndex & { suggestion: string }>;
}

export interface LastBackup {
  backup: (CompletedBackupSummary & { ageSeconds: number }) | null;
}

export interface DatabaseStatus {
  server: Part<ServerFacts>;
  database: Part<DatabaseFacts>;
  connections: ConnectionsPart;
  performance: Part<PerformanceFacts>;
  replication: Part<ReplicationFacts>;
  slowQueries: Part<SlowQueries>;
  indexAdvice: Part<IndexAdvice>;
  locks: Part<LockFacts>;
  lastBackup: Part<LastBackup>;
  /** Whether POST /db/query can run as its role, and if not what an operator must run. */
  restrictedSql: Part<ReaderRoleFacts>;
}

export interface DatabaseStatusOptions {
  /** Each part's own bound (HEALTH_CHECK_TIMEOUT_MS). */
  partTimeoutMs: number;
  slowQueryLimit: number;
  indexAdvice: IndexAdviceThresholds;
}

/** Where the leases this instance holds are counted (the lease registry). */
export interface OpenLeases {
  countByOperation(): Record<LeaseOperation, number>;
}

/**
 * The operator's one-page account of the database (GET /db/status): every part read in parallel,
 * each bounded on its own, a part that cannot be read saying why while the others answer.
 */
export class GetDatabaseStatus {
  constructor(
    private readonly reader: DatabaseStatusReader,
    private readonly timings: QueryTimings,
    private readonly backups: BackupHistory,
    private readonly pools: { primary: SqlDatabase; replica: SqlDatabase | null },
    private readonly leases: OpenLeases,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: DatabaseStatusOptions,
  ) {}

  async execute(): Promise<DatabaseStatus> {
    const part = <T extends object>(name: string, read: () => Promise<T>) => boundedPart(name, read, this.options.partTimeoutMs, this.logger);
    const [server, database, serverConnections, performance, replication, slowQueries, indexAdvice, locks, lastBackup, restrictedSql] = await Promise.all([
      part('server', () => this.reader.server()),
      part('database', () => this.reader.database()),
      part('connections', () => this.reader.connections()),
      part('performance', () => this.reader.performance()),
      part('replication', () => this.reader.replication()),
      part('slow_queries', () => this.slowQueries()),
      part('index_advice', () => this.indexAdvice()),
      part('locks', () => this.reader.locks()),
      part('last_backup', () => this.lastBackup()),
      part('restricted_sql', () => this.reader.readerRole()),
    ]);
    return {
      server,
      database,
      connections: { ...serverConnections, ...this.serviceConnections() },
      performance,
      replication,
      slowQueries,
      indexAdvice,
      locks,
      lastBackup,
      restrictedSql,
    };
  }

  private serviceConnections(): ServiceConnections {
    const pools: ServicePool[] = [{ name: 'primary', ...this.pools.primary.poolStats() }];
    if (this.pools.replica) pools.push({ name: 'replica', ...this.pools.replica.poolStats() });
    return { pools, leasesOpen: this.leases.countByOperation() };
  }

  /** The server's statistics when it keeps them (they cover every client); else this process's own. */
  private async slowQueries(): Promise<SlowQueries> {
    const fromServer = await this.reader.statementStats(this.options.slowQueryLimit);
    if (fromServer) return { source: 'pg_stat_statements', statements: fromServer };
    return { source: 'service', statements: this.timings.top(this.options.slowQueryLimit) };
  }

  private async indexAdvice(): Promise<IndexAdvice> {
    const thresholds = this.options.indexAdvice;
    const usage = await this.reader.indexUsage(thresholds);
    return {
      thresholds,
      seqScannedTables: usage.seqScannedTables.map((t) => ({
        ...t,
        suggestion:
          `${t.schema}.${t.table} is read by sequential scans more than by index scans (${t.seqScans} vs ${t.indexScans}) at ~${t.rowsEstimate} rows: ` +
          'find its frequent WHERE/JOIN/ORDER BY columns (slow_queries, EXPLAIN) and index them.',
      })),
      unusedIndexes: usage.unusedIndexes.map((i) => ({
        ...i,
        suggestion: `${i.schema}.${i.index} has not been used since the statistics were reset: if no replica or rare job needs it, DROP INDEX CONCURRENTLY saves its space and write cost.`,
      })),
    };
  }

  private async lastBackup(): Promise<LastBackup> {
    const backup = await this.backups.lastCompleted();
    if (!backup) return { backup: null };
    return { backup: { ...backup, ageSeconds: Math.max(0, Math.round((this.clock.now().getTime() - backup.completedAt.getTime()) / 1000)) } };
  }
}
