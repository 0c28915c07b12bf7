import type { RedisValue } from '../../../application/database/reads/read-redis-keys';
import type { RunQueryOutput } from '../../../application/database/reads/run-query';

/** The wire shapes of POST /data/query (000 "Data Operations"): the only place they are written. */

/**
 * A postgresql select's body, `{data, pagination, execution_time_ms, cache}`, written as text so the
 * rows' JSON (from the cache, or serialized once on a miss) is spliced in, never parsed again. The
 * bytes are exactly those JSON.stringify would give for the same object.
 */
export function queryPageJson(result: RunQueryOutput, executionTimeMs: number): string {
  const pages = result.total === null ? null : Math.ceil(result.total / result.limit);
  const pagination = JSON.stringify({ page: result.page, limit: result.limit, total: result.total, pages });
  return `{"data":${result.rowsJson},"pagination":${pagination},"execution_time_ms":${JSON.stringify(executionTimeMs)},"cache":${JSON.stringify(result.cache)}}`;
}

/** A redis get's body: values by key, never cached. */
export function redisValuesBody(data: Record<string, RedisValue>, executionTimeMs: number) {
  return { data, execution_time_ms: executionTimeMs, cache: 'bypass' as const };
}
