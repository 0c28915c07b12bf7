import { performance } from 'node:perf_hooks';
import type { PoolClient, QueryResult } from 'pg';

/** Told of every statement a pool client ran: its text as sent (values never), duration and rows. */
export interface QueryRecorder {
  record(sql: string, durationMs: number, rows: number): void;
}

/**
 * Times every promise-returning `query` of `client` (each statement the pool's users run goes
 * through one). Callback and streaming forms (cursors) pass through untouched. The fast path adds
 * two monotonic clock reads and one callback: no string work happens here.
 */
export function timeQueries(client: PoolClient, recorder: QueryRecorder): void {
  const query = client.query;
  const timed = function (this: PoolClient, ...args: unknown[]): unknown {
    const first = args[0] as { text?: unknown; submit?: unknown; callback?: unknown } | string | undefined;
    const sql = typeof first === 'string' ? first : typeof first?.text === 'string' && typeof first.submit !== 'function' && typeof first.callback !== 'function' ? first.text : undefined;
    if (sql === undefined || typeof args[args.length - 1] === 'function') return (query as (...a: unknown[]) => unknown).apply(this, args);
    const started = performance.now();
    const pending = (query as (...a: unknown[]) => Promise<QueryResult | QueryResult[]>).apply(this, args);
    return pending.then(
      (result) => {
        recorder.record(sql, performance.now() - started, Array.isArray(result) ? 0 : (result.rowCount ?? 0));
        return result;
      },
      (error: unknown) => {
        recorder.record(sql, performance.now() - started, 0);
        throw error;
      },
    );
  };
  client.query = timed as PoolClient['query'];
}
