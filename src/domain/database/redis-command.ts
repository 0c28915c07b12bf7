import { KEY_PATTERN, namespacedKey } from './key-namespace';
import type { RowScope } from './row-scope';
import type { OperationIssue } from './transaction-errors';

export const REDIS_OPERATIONS = ['set', 'del', 'incr', 'expire', 'hset', 'hdel'] as const;
export type RedisOperation = (typeof REDIS_OPERATIONS)[number];

/** A Redis write as the outbox keeps it: the key already in the caller's namespace, values as text. */
export type RedisCommand =
  | { op: 'set'; key: string; value: string; ttlSeconds: number | null }
  | { op: 'del'; key: string }
  | { op: 'incr'; key: string }
  | { op: 'expire'; key: string; ttlSeconds: number }
  | { op: 'hset'; key: string; fields: Record<string, string> }
  | { op: 'hdel'; key: string; fields: string[] };

export interface RawRedisOperation {
  database: 'redis';
  operation: string;
  key: string;
  value?: unknown;
  ttl?: unknown;
  field?: unknown;
  fields?: unknown;
}

/** Redis's own bound on EXPIRE seconds is far higher; a year and more is a mistake, not a TTL. */
export const MAX_TTL_SECONDS = 10 * 365 * 24 * 3600;
const MAX_FIELDS = 1000;
const FIELD_PATTERN = /^.{1,256}$/s;

/** Checks one Redis operation and places its key in the caller's namespace; null when it has issues. */
export function buildRedisCommand(raw: RawRedisOperation, scope: RowScope, operation: number, issues: OperationIssue[]): RedisCommand | null {
  const at = `operations.${operation - 1}`;
  const before = issues.length;
  const issue = (part: string, message: string) => issues.push({ operation, path: `${at}.${part}`, message });

  if (typeof raw.key !== 'string' || !KEY_PATTERN.test(raw.key)) {
    issue('key', 'expected 1 to 256 characters among letters, digits and : _ - . @ /');
  }
  const key = namespacedKey(scope, String(raw.key));
  const takes = (allowed: Array<'value' | 'ttl' | 'field' | 'fields'>) => {
    for (const part of ['value', 'ttl', 'field', 'fields'] as const) {
      if (raw[part] !== undefined && !allowed.includes(part)) issue(part, `${raw.operation} takes no ${part}`);
    }
  };
  const ttl = (required: boolean): number | null => {
    if (raw.ttl === undefined && !required) return null;
    if (typeof raw.ttl === 'number' && Number.isInteger(raw.ttl) && raw.ttl >= 1 && raw.ttl <= MAX_TTL_SECONDS) return raw.ttl;
    issue('ttl', `expected a whole number of seconds from 1 to ${MAX_TTL_SECONDS}`);
    return null;
  };

  let command: RedisCommand | null = null;
  switch (raw.operation) {
    case 'set': {
      takes(['value', 'ttl']);
      const value = text(raw.value);
      if (value === null) issue('value', 'expected a string, number or boolean (serialize JSON to a string yourself)');
      command = { op: 'set', key, value: value ?? '', ttlSeconds: ttl(false) };
      break;
    }
    case 'del':
    case 'incr':
      takes([]);
      command = { op: raw.operation, key };
      break;
    case 'expire':
      takes(['ttl']);
      command = { op: 'expire', key, ttlSeconds: ttl(true) ?? 0 };
      break;
    case 'hset':
      takes(['field', 'value', 'fields']);
      command = { op: 'hset', key, fields: hashFields(raw, issue) };
      break;
    case 'hdel':
      takes(['field', 'fields']);
      command = { op: 'hdel', key, fields: fieldNames(raw, issue) };
      break;
    default:
      issue('operation', `unknown Redis operation "${raw.operation}"; expected one of ${REDIS_OPERATIONS.join(', ')}`);
  }
  return issues.length === before ? command : null;
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return String(value);
  return null;
}

/** `field` + `value` for one field, or `fields` {name: value} for several. */
function hashFields(raw: RawRedisOperation, issue: (part: string, message: string) => void): Record<string, string> {
  if (raw.fields !== undefined) {
    if (raw.field !== undefined || raw.value !== undefined) issue('fields', 'give either fields, or field and value');
    if (typeof raw.fields !== 'object' || raw.fields === null || Array.isArray(raw.fields)) {
      issue('fields', 'expected an object of field names to values');
      return {};
    }
    const entries = Object.entries(raw.fields as Record<string, unknown>);
    if (entries.length === 0 || entries.length > MAX_FIELDS) issue('fields', `expected 1 to ${MAX_FIELDS} fields`);
    const fields: Record<string, string> = {};
    for (const [name, value] of entries) {
      const v = text(value);
      if (!FIELD_PATTERN.test(name)) issue(`fields.${name}`, 'expected a field name of 1 to 256 characters');
      if (v === null) issue(`fields.${name}`, 'expected a string, number or boolean');
      fields[name] = v ?? '';
    }
    return fields;
  }
  const value = text(raw.value);
  if (typeof raw.field !== 'string' || !FIELD_PATTERN.test(raw.field)) issue('field', 'expected a field name of 1 to 256 characters (or fields)');
  if (value === null) issue('value', 'expected a string, number or boolean');
  return { [String(raw.field)]: value ?? '' };
}

/** `field` for one, `fields` [names] for several. */
function fieldNames(raw: RawRedisOperation, issue: (part: string, message: string) => void): string[] {
  const names = raw.fields !== undefined ? raw.fields : raw.field !== undefined ? [raw.field] : undefined;
  if (!Array.isArray(names) || names.length === 0 || names.length > MAX_FIELDS) {
    issue('fields', `expected 1 to ${MAX_FIELDS} field names`);
    return [];
  }
  names.forEach((name, i) => {
    if (typeof name !== 'string' || !FIELD_PATTERN.test(name)) issue(`fields.${i}`, 'expected a field name of 1 to 256 characters');
  });
  return names.map(String);
}
