/** Bounds of one restricted-SQL call (the request may ask for less, never more). */
export const RESTRICTED_SQL_LIMITS = {
  maxRows: { default: 1_000, max: 10_000 },
  timeoutMs: { default: 5_000, max: 60_000 },
  /** Longer than any query a person writes; keeps the parser and the log lines bounded. */
  maxSqlLength: 100_000,
  maxParams: 100,
  /** Per sort or hash node, so a few of them still fit next to the service's own work. */
  workMem: '32MB',
} as const;
