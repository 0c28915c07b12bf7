/** One normalized statement's totals: what `slow_queries` lists, whichever source measured it. */
export interface StatementStats {
  /** Normalized text: literals replaced by `?` (or `$n` placeholders), never a value. */
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  maxMs: number;
  rows: number;
}

/**
 * The service's own timings of the statements it ran (this process, since it started), for when the
 * server keeps none (no pg_stat_statements). Bounded: only the costliest statements are kept.
 */
export interface QueryTimings {
  /** The `limit` statements with the largest total time, largest first. */
  top(limit: number): StatementStats[];
}
