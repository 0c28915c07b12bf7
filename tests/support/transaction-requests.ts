import { randomBytes, randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { bearer } from './tokens';

/** Builders of POST /api/v1/data/transaction operations, as a client writes them (snake_case). */
export type Operation = Record<string, unknown>;

export const insert = (table: string, data: Record<string, unknown>, extra: Operation = {}): Operation => ({
  database: 'postgresql',
  operation: 'insert',
  table,
  data,
  ...extra,
});

export const update = (table: string, filters: Record<string, unknown>, data: Record<string, unknown>, extra: Operation = {}): Operation => ({
  database: 'postgresql',
  operation: 'update',
  table,
  filters,
  data,
  ...extra,
});

export const remove = (table: string, filters: Record<string, unknown>, extra: Operation = {}): Operation => ({
  database: 'postgresql',
  operation: 'delete',
  table,
  filters,
  ...extra,
});

export const upsert = (table: string, data: Record<string, unknown>, onConflict: string[], extra: Operation = {}): Operation => ({
  database: 'postgresql',
  operation: 'upsert',
  table,
  data,
  on_conflict: onConflict,
  ...extra,
});

export const redis = (operation: string, key: string, extra: Operation = {}): Operation => ({ database: 'redis', operation, key, ...extra });

const tag = () => randomBytes(4).toString('hex');

/** A users row a caller may insert for themselves (the id is forced to theirs anyway). */
export const aUserRow = (overrides: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  email: `tx-${tag()}@example.com`,
  password_hash: '$2b$10$not-a-real-hash',
  first_name: 'Ada',
  ...overrides,
});

export const aProjectRow = (overrides: Record<string, unknown> = {}) => ({ title: `Project ${tag()}`, ...overrides });

/** A unique key name, so test files sharing the run's Redis never meet. */
export const aKey = (label = 'k') => `tx:${label}:${tag()}`;

export function transaction(app: Express, token: string, operations: Operation[], extra: Record<string, unknown> = {}) {
  return request(app).post('/api/v1/data/transaction').set(bearer(token)).send({ operations, ...extra });
}
