import { createHash } from 'node:crypto';
import type { QuerySpec } from './query-spec';
import { scopeKey, type RowScope } from './row-scope';

/**
 * The cache key of a read: what was asked (normalized) and who asked (their scope). The entry under
 * it is stamped with the generations of the tables it was read at; a committed write bumps them, so
 * an entry read before the write no longer matches and is never returned again.
 */
export function readCacheKey(what: unknown, scope: RowScope): string {
  return createHash('sha256').update(stableJson(what)).update('\n').update(scopeKey(scope)).digest('hex');
}

/** A spec in one canonical form: filters are ANDed, so their order (the JSON key order) is irrelevant. */
export function normalizedSpec(spec: QuerySpec): QuerySpec {
  const filters = [...spec.filters].sort((a, b) => compare(stableJson(a), stableJson(b)));
  return { ...spec, filters };
}

/** JSON with object keys sorted, so equal values always give equal text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compare(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
