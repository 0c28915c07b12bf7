import type { StatementStats } from './query-timings.port';

export interface ServerFacts {
  version: string;
  startedAt: Date;
  uptimeSeconds: number;
}

export interface TableFacts {
  schema: string;
  name: string;
  rowsEstimate: number;
  totalBytes: number;
  indexBytes: number;
  seqScans: number;
  indexScans: number;
  deadRows: number;
  /** Share of the table's block reads served from shared buffers; null before any read. */
  cacheHitRatio: number | null;
  lastVacuum: Date | null;
  lastAutovacuum: Date | null;
  lastAnalyze: Date | null;
  lastAutoanalyze: Date | null;
}

export interface DatabaseFacts {
  name: string;
  sizeBytes: number;
  tables: TableFacts[];
}

export interface ServerConnections {
  /** Client backends of the whole server by state (active, idle, idle in transaction, …). */
  byState: Record<string, number>;
  total: number;
  maxConnections: number;
}

export interface RunningStatement {
  pid: number;
  /** Normalized: no literal values. */
  query: string;
  ageSeconds: number;
}

export interface PerformanceFacts {
  /** Blocks found in shared buffers over blocks needed, for this database; null before any read. */
  cacheHitRatio: number | null;
  commits: number;
  rollbacks: number;
  deadlocks: number;
  tempFiles: number;
  tempBytes: number;
  longestRunning: RunningStatement | null;
}

export interface ReplicaFacts {
  name: string;
  clientAddr: string | null;
  state: string;
  syncState: string;
  lagBytes: number | null;
  replayLagSeconds: number | null;
}

export interface ReplicationFacts {
  /** A server in recovery is itself a replica; its lag is how old the last replayed transaction is. */
  role: 'primary' | 'replica';
  replicas: ReplicaFacts[];
  replayLagSeconds: number | null;
}

export interface SeqScannedTable {
  schema: string;
  table: string;
  seqScans: number;
  indexScans: number;
  rowsEstimate: number;
  tableBytes: number;
}

export interface UnusedIndex {
  schema: string;
  table: string;
  index: string;
  indexBytes: number;
}

export interface IndexAdviceThresholds {
  minRows: number;
  minBytes: number;
}

export interface IndexUsage {
  seqScannedTables: SeqScannedTable[];
  unusedIndexes: UnusedIndex[];
}

export interface WaitingLock {
  pid: number;
  lockType: string;
  mode: string;
  /** The table or index waited for, when the lock is on a relation. */
  relation: string | null;
  query: string;
  waitingSeconds: number;
  blockedBy: number[];
}

export interface BlockingSession {
  pid: number;
  state: string | null;
  query: string;
  ageSeconds: number;
}

export interface LockFacts {
  waiting: WaitingLock[];
  blockers: BlockingSession[];
}

/** Whether restricted SQL (POST /db/query) can run as its least-privilege role. */
export interface ReaderRoleFacts {
  role: string;
  /** The role exists on the server (roles are cluster-wide: another database's migration may have made it). */
  present: boolean;
  /** The service's user switched to it (SET ROLE, in a transaction rolled back) and it may use the public schema. */
  usable: boolean;
  /** Why it is not usable; null when it is. */
  reason: string | null;
  /** Application tables it may SELECT from (some columns at least). */
  readableTables: string[];
  /** What an operator must run (as a role allowed to) to make it usable; empty when it is. */
  grants: string[];
}

/**
 * What the server says about itself, one reader per part of /db/status so each part can fail or
 * time out alone. Query texts come back normalized (no literal values).
 */
export interface DatabaseStatusReader {
  server(): Promise<ServerFacts>;
  database(): Promise<DatabaseFacts>;
  connections(): Promise<ServerConnections>;
  performance(): Promise<PerformanceFacts>;
  replication(): Promise<ReplicationFacts>;
  indexUsage(thresholds: IndexAdviceThresholds): Promise<IndexUsage>;
  locks(): Promise<LockFacts>;
  /** The server's statement statistics (pg_stat_statements), or null where it keeps none. */
  statementStats(limit: number): Promise<StatementStats[] | null>;
  readerRole(): Promise<ReaderRoleFacts>;
}
