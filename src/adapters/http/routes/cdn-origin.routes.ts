import type { Response } from 'express';
import type { CdnTrafficCounter } from '../../../application/storage/cdn/cdn-traffic-counter';
import type { CdnObject, ResolveCdnObject } from '../../../application/storage/cdn/resolve-cdn-object';
import type { StreamFile } from '../../../application/storage/delivery/stream-file';
import type { Clock } from '../../../application/ports/clock.port';
import { ErrorBodySchema } from '../openapi/error-schema';
import type { RouteBuilder } from '../route-builder';
import { CdnFileParamsSchema, CdnSignatureQuerySchema, CdnThumbnailParamsSchema } from '../schemas/cdn.schemas';
import { BinarySchema } from '../schemas/storage-delivery.schemas';
import { serveFile } from './storage-stream.routes';

export interface CdnOriginDeps {
  resolve: ResolveCdnObject;
  stream: StreamFile;
  clock: Clock;
  /** s-maxage of the revalidated aliases (thumbnails). */
  cacheTtlSeconds: number;
  /** Set when the origin counts CDN traffic itself (no CDN log to read). */
  counter: CdnTrafficCounter | null;
}

const YEAR = 31_536_000;
const error = (description: string) => ({ description, schema: ErrorBodySchema });
const RESPONSES = {
  200: { description: 'The content (Range, If-None-Match and If-Range are honoured as on /stream)', schema: BinarySchema, contentType: 'application/octet-stream' },
  206: { description: 'The requested range', schema: BinarySchema, contentType: 'application/octet-stream' },
  304: { description: 'Not modified' },
  403: error('INVALID_SIGNATURE: a private file\'s URL without a valid, unexpired signature'),
  404: error('FILE_NOT_FOUND: no such (live) file, another version of it, or no thumbnail yet'),
  416: error('RANGE_NOT_SATISFIABLE'),
};

/**
 * The origin a CDN pulls from (urls.cdn, urls.thumbnail). /cdn/files/{id}/{version} is content-addressed:
 * cacheable for a year and `immutable`. /cdn/thumbnails/{id} follows the newest thumbnail: shared caches
 * keep it for CDN_CACHE_TTL (purged when it changes), browsers revalidate after a minute. Private
 * files answer `private` until their signature expires, so no shared cache keeps them. Failures are
 * `no-store`: a CDN must not remember a 404 for a thumbnail that is about to exist.
 */
export function cdnOriginRoutes(routes: RouteBuilder, deps: CdnOriginDeps): void {
  const serve = async (object: CdnObject, res: Response, sharedPolicy: string) => {
    const remaining = object.privateUntil ? Math.max(0, Math.floor((object.privateUntil.getTime() - deps.clock.now().getTime()) / 1000)) : 0;
    const policy = object.privateUntil ? `private, max-age=${remaining}` : sharedPolicy;
    if (deps.counter) countWhenSent(res, deps.counter, deps.clock);
    await serveFile(deps.stream, object.file, res, {}, policy);
  };

  for (const method of ['head', 'get'] as const) {
    routes.define({
      method,
      path: '/cdn/files/:file_id/:version',
      tag: 'CDN',
      auth: 'none',
      rateLimit: false,
      summary: 'CDN origin: a file by content version (urls.cdn)',
      params: CdnFileParamsSchema,
      query: CdnSignatureQuerySchema,
      responses: RESPONSES,
      handler: async ({ params, query }, { res }) => {
        res.setHeader('Cache-Control', 'no-store');
        const object = await deps.resolve.file(params.file_id, params.version, { path: res.req.path, ...signature(query) });
        await serve(object, res, `public, max-age=${YEAR}, immutable`);
      },
    });
    routes.define({
      method,
      path: '/cdn/thumbnails/:file_id',
      tag: 'CDN',
      auth: 'none',
      rateLimit: false,
      summary: 'CDN origin: the newest thumbnail of a file (urls.thumbnail)',
      params: CdnThumbnailParamsSchema,
      query: CdnSignatureQuerySchema,
      responses: RESPONSES,
      handler: async ({ params, query }, { res }) => {
        res.setHeader('Cache-Control', 'no-store');
        const object = await deps.resolve.thumbnail(params.file_id, { path: res.req.path, ...signature(query) });
        await serve(object, res, `public, max-age=60, s-maxage=${deps.cacheTtlSeconds}`);
      },
    });
  }
}

function signature(query: { expires?: number | undefined; signature?: string | undefined }) {
  return { ...(query.expires !== undefined ? { expires: query.expires } : {}), ...(query.signature ? { signature: query.signature } : {}) };
}

/**
 * Counts the request as a miss (the CDN came to the origin) with the body bytes it was answered. On
 * 'close', which always comes, not 'finish', which a client hanging up right after the last byte skips.
 */
function countWhenSent(res: Response, counter: CdnTrafficCounter, clock: Clock): void {
  res.once('close', () => {
    const sent = res.req.method === 'HEAD' || res.statusCode === 304 ? 0 : Number(res.getHeader('Content-Length') ?? 0);
    counter.count([{ path: res.req.path, hit: false, bytes: sent, at: clock.now() }]);
  });
}
