import type { Logger } from '../../application/ports/logger.port';
import type { QueryTimings, StatementStats } from '../../application/ports/query-timings.port';
import { normalizeSql, statementShape, type StatementKind } from '../postgres/sql-normalizer';
import type { QueryRecorder } from '../postgres/query-timing';

export interface SlowQuery {
  /** Normalized text: no literal values, ever. */
  query: string;
  kind: StatementKind;
  table: string;
  durationMs: number;
}

interface Entry {
  calls: number;
  totalMs: number;
  maxMs: number;
  rows: number;
  /** Worked out the first time the text is slow or reported, never on the fast path. */
  shape?: { query: string; kind: StatementKind; table: string };
}

export interface ServiceQueryTimingsOptions {
  /** Statements at least this long are logged and reported to the listeners; 0: none. */
  slowQueryMs: number;
  /** Distinct statement texts kept; past it the cheaper half is forgotten. */
  maxStatements?: number;
}

/** Longer texts are keyed by their start: a bulk statement's tail is not worth the memory. */
const MAX_KEY_LENGTH = 4_096;

/**
 * This process's own statement timings, keyed by the text as sent (cheap: no normalization on the
 * fast path), merged by normalized text when read. Statements over SLOW_QUERY_MS are logged once,
 * normalized, and passed to the listeners (the Prometheus histogram).
 */
export class ServiceQueryTimings implements QueryTimings, QueryRecorder {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners: Array<(slow: SlowQuery) => void> = [];
  private readonly maxStatements: number;

  constructor(
    private readonly options: ServiceQueryTimingsOptions,
    private readonly logger: Logger,
  ) {
    this.maxStatements = options.maxStatements ?? 500;
  }

  onSlowQuery(listener: (slow: SlowQuery) => void): void {
    this.listeners.push(listener);
  }

  record(sql: string, durationMs: number, rows: number): void {
    const key = sql.length > MAX_KEY_LENGTH ? sql.slice(0, MAX_KEY_LENGTH) : sql;
    let entry = this.entries.get(key);
    if (!entry) {
      if (this.entries.size >= this.maxStatements) this.forgetCheapest();
      entry = { calls: 0, totalMs: 0, maxMs: 0, rows: 0 };
      this.entries.set(key, entry);
    }
    entry.calls += 1;
    entry.totalMs += durationMs;
    if (durationMs > entry.maxMs) entry.maxMs = durationMs;
    entry.rows += rows;
    if (this.options.slowQueryMs > 0 && durationMs >= this.options.slowQueryMs) this.slow(key, entry, durationMs, rows);
  }

  top(limit: number): StatementStats[] {
    const merged = new Map<string, StatementStats>();
    for (const [sql, entry] of this.entries) {
      const { query } = this.shapeOf(sql, entry);
      const stats = merged.get(query) ?? { query, calls: 0, totalMs: 0, meanMs: 0, maxMs: 0, rows: 0 };
      stats.calls += entry.calls;
      stats.totalMs += entry.totalMs;
      stats.maxMs = Math.max(stats.maxMs, entry.maxMs);
      stats.rows += entry.rows;
      merged.set(query, stats);
    }
    return [...merged.values()]
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, Math.max(0, limit))
      .map((s) => ({ ...s, totalMs: round(s.totalMs), maxMs: round(s.maxMs), meanMs: round(s.totalMs / s.calls) }));
  }

  private slow(sql: string, entry: Entry, durationMs: number, rows: number): void {
    const { query, kind, table } = this.shapeOf(sql, entry);
    this.logger.warn({ query, kind, table, duration_ms: round(durationMs), rows, threshold_ms: this.options.slowQueryMs }, 'slow query');
    for (const listener of this.listeners) listener({ query, kind, table, durationMs });
  }

  private shapeOf(sql: string, entry: Entry): NonNullable<Entry['shape']> {
    if (!entry.shape) {
      const query = normalizeSql(sql);
      entry.shape = { query, ...statementShape(query) };
    }
    return entry.shape;
  }

  /** Keeps the costlier half, so a stream of one-off texts cannot grow the map or evict the hot ones. */
  private forgetCheapest(): void {
    const byCost = [...this.entries].sort(([, a], [, b]) => a.totalMs - b.totalMs);
    for (const [sql] of byCost.slice(0, Math.ceil(byCost.length / 2))) this.entries.delete(sql);
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
