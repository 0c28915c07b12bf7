import type { GetCdnPurge } from '../../../application/storage/cdn/get-cdn-purge';
import type { GetCdnStats } from '../../../application/storage/cdn/get-cdn-stats';
import type { RequestCdnPurge } from '../../../application/storage/cdn/request-cdn-purge';
import { ErrorBodySchema } from '../openapi/error-schema';
import { presentPurge, presentStats } from '../presenters/cdn.presenter';
import { field } from '../route-audit';
import type { RouteBuilder } from '../route-builder';
import { PurgeBodySchema, PurgeIdParamsSchema, PurgeResponseSchema, StatsQuerySchema, StatsResponseSchema } from '../schemas/cdn.schemas';

export interface CdnRouteDeps {
  requestPurge: RequestCdnPurge;
  getPurge: GetCdnPurge;
  getStats: GetCdnStats;
}

const NO_STORE = { 'Cache-Control': 'no-store' };
const NOT_FOUND = { description: 'FILE_NOT_FOUND / NOT_FOUND: no such file or purge, or not the caller\'s', schema: ErrorBodySchema };

/** 002 "CDN Management": purges of the caller's files (an admin: anyone's), and traffic stats. */
export function cdnRoutes(routes: RouteBuilder, deps: CdnRouteDeps): void {
  routes.define({
    method: 'post',
    path: '/api/v1/storage/cdn/purge',
    tag: 'CDN',
    auth: 'user',
    summary: 'Purge files\' URLs from every configured CDN, asynchronously (poll GET /cdn/purge/{id})',
    body: PurgeBodySchema,
    responses: { 202: { description: 'Queued (or completed at once when no CDN is configured)', schema: PurgeResponseSchema }, 400: { description: 'VALIDATION_ERROR', schema: ErrorBodySchema }, 404: NOT_FOUND },
    audit: { action: 'cdn.purge', targetType: 'cdn_purge', targetId: (_i, b) => field(b, 'id'), details: ({ body }) => ({ file_ids: body.file_ids, purge_type: body.purge_type ?? null }) },
    handler: async ({ body }, ctx) => {
      const request = await deps.requestPurge.execute({ caller: ctx.caller, fileIds: body.file_ids, purgeType: body.purge_type });
      return { status: 202, headers: { ...NO_STORE, Location: `/api/v1/storage/cdn/purge/${request.id}` }, body: presentPurge(request) };
    },
  });

  routes.define({
    method: 'get',
    path: '/api/v1/storage/cdn/purge/:purge_id',
    tag: 'CDN',
    auth: 'user',
    summary: 'A purge request\'s status per provider',
    params: PurgeIdParamsSchema,
    responses: { 200: { description: 'The purge request', schema: PurgeResponseSchema }, 404: NOT_FOUND },
    handler: async ({ params }, ctx) => ({ status: 200, headers: NO_STORE, body: presentPurge(await deps.getPurge.execute({ caller: ctx.caller, id: params.purge_id })) }),
  });

  routes.define({
    method: 'get',
    path: '/api/v1/storage/cdn/stats',
    tag: 'CDN',
    auth: 'user',
    summary: 'CDN traffic of the caller\'s files (an admin: every file) over a period: requests, hits, misses, bandwidth, top files, and the same per interval',
    query: StatsQuerySchema,
    responses: { 200: { description: 'The stats', schema: StatsResponseSchema }, 400: { description: 'VALIDATION_ERROR: bad period or interval, or more than 1000 intervals', schema: ErrorBodySchema }, 404: NOT_FOUND },
    handler: async ({ query }, ctx) => {
      const result = await deps.getStats.execute({ caller: ctx.caller, period: query.period, ...(query.interval ? { interval: query.interval } : {}), ...(query.file_id ? { fileId: query.file_id } : {}) });
      return { status: 200, headers: NO_STORE, body: presentStats(result) };
    },
  });
}
