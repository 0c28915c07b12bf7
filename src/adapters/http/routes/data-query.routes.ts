import { performance } from 'node:perf_hooks';
import type { ReadRedisKeys } from '../../../application/database/reads/read-redis-keys';
import type { RunQuery } from '../../../application/database/reads/run-query';
import { ValidationFailed, type ValidationIssue } from '../../../domain/shared/errors';
import { ErrorBodySchema } from '../openapi/error-schema';
import { queryPageJson, redisValuesBody } from '../presenters/data-query.presenter';
import type { RouteBuilder } from '../route-builder';
import { DataQueryBodySchema, DataQueryResponseSchema } from '../schemas/data-query.schemas';

export interface DataQueryRouteDeps {
  runQuery: RunQuery;
  readRedisKeys: ReadRedisKeys;
}

const NO_STORE = { 'Cache-Control': 'no-store' };
const elapsedSince = (start: number) => Math.round((performance.now() - start) * 100) / 100;

/** POST /api/v1/data/query (000 "Data Operations"): scoped selects on PostgreSQL, key reads on Redis. */
export function dataQueryRoutes(routes: RouteBuilder, deps: DataQueryRouteDeps): void {
  routes.define({
    method: 'post',
    path: '/api/v1/data/query',
    tag: 'Data',
    auth: 'user',
    writes: false,
    summary: 'Query a table (select) or read Redis keys (get), scoped to what the caller owns',
    description:
      'postgresql/select: tables, columns, sorts and fields are checked against the migrated schema; values are bound parameters. ' +
      'Admins see every row; other callers only their own (users: their own row; child tables through their parent). ' +
      'Secret columns are never returned. Reads go through a cache invalidated by every committed write (cache: hit | miss | bypass). ' +
      "redis/get: keys are read inside the caller's own namespace.",
    body: DataQueryBodySchema,
    // With a connection_id held by another instance, the request is forwarded there.
    lease: ({ body }) => (body as { connection_id?: unknown } | undefined)?.connection_id,
    responses: {
      200: { description: 'Rows and pagination (postgresql), or values by key (redis)', schema: DataQueryResponseSchema },
      404: { description: 'connection_id names no lease of yours', schema: ErrorBodySchema },
      410: { description: 'LEASE_LOST: the instance that held the connection_id is gone', schema: ErrorBodySchema },
      503: { description: 'DATABASE_UNAVAILABLE, DATABASE_CONNECTION_FAILED (pool exhausted), or CACHE_UNAVAILABLE for a redis read', schema: ErrorBodySchema },
      504: { description: 'DATABASE_TIMEOUT', schema: ErrorBodySchema },
    },
    handler: async ({ body }, { caller }) => {
      const start = performance.now();
      if (body.database === 'redis') {
        const asked = body.key !== undefined ? { key: body.key } : { keys: body.keys ?? [] };
        const data = await deps.readRedisKeys.execute({ caller, ...asked }).catch(underBody);
        return { status: 200, body: redisValuesBody(data, elapsedSince(start)), headers: NO_STORE };
      }
      const result = await deps.runQuery
        .execute({
          caller,
          query: { table: body.table, filters: body.filters, sort: body.sort, fields: body.fields, page: body.pagination?.page, limit: body.pagination?.limit },
          count: body.count === 'exact',
          bypassCache: body.cache === 'bypass',
          connectionId: body.connection_id,
        })
        .catch(underBody);
      return { status: 200, json: queryPageJson(result, elapsedSince(start)), headers: NO_STORE };
    },
  });
}

/** The use cases name parts of the query (filters.status); on the wire they are parts of the body, as zod's are. */
function underBody(error: unknown): never {
  if (error instanceof ValidationFailed) {
    const issues = (error.details.issues as ValidationIssue[]).map((issue) => ({ ...issue, path: `body.${issue.path}` }));
    throw new ValidationFailed(error.message, issues);
  }
  throw error;
}
