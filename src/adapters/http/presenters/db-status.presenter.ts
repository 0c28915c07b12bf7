import type { DatabaseStatus } from '../../../application/database/ops/get-database-status';

/**
 * The report on the wire: the use case's camelCase facts with snake_case keys and ISO dates, part
 * by part as the schema lists them. The facts are plain data (numbers, strings, dates, records of
 * states), so one mechanical conversion is the whole presenter.
 */
export function presentDatabaseStatus(status: DatabaseStatus): Record<string, unknown> {
  return snakeKeys(status) as Record<string, unknown>;
}

function snakeKeys(value: unknown, keepKeys = false): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => snakeKeys(item));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [keepKeys ? key : snake(key), snakeKeys(item, key === 'byState')]),
  );
}

/** `byState` holds PostgreSQL's state names ("idle in transaction"): data, not keys to rename. */
function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
