import type { Response } from 'express';
import type { Caller } from '../../../domain/auth/caller';
import type { RenderRequest } from '../../../domain/storage/rendition';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { Clock } from '../../../application/ports/clock.port';
import type { ResolveCdnObject } from '../../../application/storage/cdn/resolve-cdn-object';
import type { RenderFile, RenderOutcome } from '../../../application/storage/render/render-file';
import { ErrorBodySchema } from '../openapi/error-schema';
import type { RouteBuilder } from '../route-builder';
import { CdnThumbnailParamsSchema } from '../schemas/cdn.schemas';
import { BinarySchema, FileIdParamsSchema } from '../schemas/storage-delivery.schemas';
import { CdnRenderQuerySchema, RenderQuerySchema } from '../schemas/storage-render.schemas';
import { sendStream } from './send-stream';

export interface RenderRouteDeps {
  render: RenderFile;
  /** The file if this caller may read it (owner, admin, or public), as for /stream. */
  readable(fileId: string, caller: Caller | undefined): Promise<StoredFile>;
  resolve: ResolveCdnObject;
  clock: Clock;
  /** s-maxage of public renditions (CDN_CACHE_TTL): they are purged when their file changes. */
  cacheTtlSeconds: number;
}

/** Browsers keep a rendition an hour, then revalidate (a 304 costs no storage read: the ETag is the key). */
const BROWSER_MAX_AGE = 3_600;
const error = (description: string) => ({ description, schema: ErrorBodySchema });
const RESPONSES = {
  200: { description: 'The rendition (image/jpeg, image/png, image/webp or image/avif); X-Render-Cache: HIT or MISS', schema: BinarySchema, contentType: 'image/*' },
  304: { description: 'Not modified (If-None-Match: the rendition key is the strong ETag)' },
  400: error('VALIDATION_ERROR: details.issues names the parameter (query.width, query.format, ...) out of range, of the wrong type, unknown, or outside the presets'),
  404: error('FILE_NOT_FOUND: no such (live) file, or not yours'),
  422: error('UNSUPPORTED_TRANSFORMATION: not an image, video or PDF; TRANSFORMATION_FAILED: corrupt or truncated source, or more pixels than RENDER_MAX_PIXELS (details.reason too_many_pixels)'),
  429: error('RATE_LIMIT_EXCEEDED: more new renditions than RENDER_NEW_PER_MINUTE (cached ones never count); see Retry-After'),
};
const DESCRIPTION =
  'Resizes, crops and converts an image (or a video frame, or the first page of a PDF) as the URL says, produced once per ' +
  '(content, parameters, format) and then served from the rendition cache. format=auto picks AVIF or WebP from Accept.';

/** GET /api/v1/storage/render/{file_id} and its CDN origin twin /cdn/render/{file_id} (issue 15). */
export function storageRenderRoutes(routes: RouteBuilder, deps: RenderRouteDeps): void {
  for (const method of ['head', 'get'] as const) {
    routes.define({
      method,
      path: '/api/v1/storage/render/:file_id',
      tag: 'Storage',
      auth: 'optional',
      summary: 'A rendition of an image, video frame or PDF page (resize, crop, format, quality, blur)',
      description: `${DESCRIPTION} Public files need no token; others need their owner's (or an admin's).`,
      params: FileIdParamsSchema,
      query: RenderQuerySchema,
      responses: { ...RESPONSES, 401: error('UNAUTHORIZED: the file is not public and no (valid) token was sent') },
      handler: async ({ params, query }, { caller, res }) => {
        res.setHeader('Cache-Control', 'no-store');
        const file = await deps.readable(params.file_id, caller);
        const outcome = await deps.render.execute(input(file, query, res, caller ? `user:${caller.userId}` : `ip:${res.req.ip ?? 'unknown'}`));
        const policy = file.isPublic ? `public, max-age=${BROWSER_MAX_AGE}, s-maxage=${deps.cacheTtlSeconds}` : `private, max-age=${BROWSER_MAX_AGE}`;
        await answer(res, outcome, policy);
      },
    });
    routes.define({
      method,
      path: '/cdn/render/:file_id',
      tag: 'CDN',
      auth: 'none',
      summary: 'CDN origin: a rendition (urls.thumbnail, urls.preview)',
      description: `${DESCRIPTION} Public files need nothing; private ones the signature of /cdn/render/{file_id} (any parameters), answered privately.`,
      params: CdnThumbnailParamsSchema,
      query: CdnRenderQuerySchema,
      responses: { ...RESPONSES, 403: error('INVALID_SIGNATURE: a private file without a valid, unexpired signature for this file') },
      handler: async ({ params, query }, { res }) => {
        res.setHeader('Cache-Control', 'no-store');
        const { expires, signature, ...request } = query;
        const object = await deps.resolve.renderable(params.file_id, {
          path: res.req.path,
          ...(expires !== undefined ? { expires } : {}),
          ...(signature ? { signature } : {}),
        });
        const outcome = await deps.render.execute(input(object.file, request, res, `ip:${res.req.ip ?? 'unknown'}`));
        const remaining = object.privateUntil ? Math.max(0, Math.floor((object.privateUntil.getTime() - deps.clock.now().getTime()) / 1000)) : 0;
        await answer(res, outcome, object.privateUntil ? `private, max-age=${remaining}` : `public, max-age=${BROWSER_MAX_AGE}, s-maxage=${deps.cacheTtlSeconds}`);
      },
    });
  }
}

function input(file: StoredFile, query: Record<string, unknown>, res: Response, callerKey: string) {
  const req = res.req;
  return {
    file,
    request: withoutUndefined(query) as RenderRequest,
    ...(req.get('accept') !== undefined ? { accept: req.get('accept')! } : {}),
    ...(req.get('if-none-match') !== undefined ? { ifNoneMatch: req.get('if-none-match')! } : {}),
    headOnly: req.method === 'HEAD',
    callerKey,
  };
}

async function answer(res: Response, outcome: RenderOutcome, cacheControl: string): Promise<void> {
  res.setHeader('Cache-Control', cacheControl);
  res.setHeader('ETag', outcome.etag);
  if (outcome.variesByAccept) res.setHeader('Vary', 'Accept');
  if (outcome.kind === 'not_modified') return void res.status(304).end();
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  res.setHeader('Content-Type', outcome.mimeType);
  res.setHeader('Content-Length', String(outcome.size));
  res.setHeader('X-Render-Cache', outcome.produced ? 'MISS' : 'HIT');
  res.status(200);
  if (!outcome.body) return void res.end();
  await sendStream(res, outcome.body);
}

function withoutUndefined(query: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined));
}
