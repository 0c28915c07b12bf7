import type { Response } from 'express';
import type { Caller } from '../../../domain/auth/caller';
import { contentRange } from '../../../domain/storage/byte-range';
import { RangeNotSatisfiable } from '../../../domain/storage/errors';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { StreamFile } from '../../../application/storage/delivery/stream-file';
import { ErrorBodySchema } from '../openapi/error-schema';
import type { RouteBuilder } from '../route-builder';
import { BinarySchema, FileIdParamsSchema } from '../schemas/storage-delivery.schemas';
import { sendStream } from './send-stream';

export interface StreamRouteDeps {
  stream: StreamFile;
  /** The file if this caller may read it (owner, admin, or public). */
  readable(fileId: string, caller: Caller | undefined): Promise<StoredFile>;
}

const error = (description: string) => ({ description, schema: ErrorBodySchema });

/** Serves `file` to `res` as the request's Range and conditional headers ask (206, 200, 304, 416). */
export async function serveFile(
  stream: StreamFile,
  file: StoredFile,
  res: Response,
  extraHeaders: Record<string, string> = {},
  cacheControl = file.isPublic ? 'public, no-cache' : 'private, no-cache',
): Promise<void> {
  const req = res.req;
  const outcome = await stream.execute({
    file,
    range: req.get('range'),
    ifRange: req.get('if-range'),
    ifNoneMatch: req.get('if-none-match'),
    headOnly: req.method === 'HEAD',
  });
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', cacheControl);
  if (outcome.kind === 'unsatisfiable') {
    res.setHeader('Content-Range', `bytes */${outcome.size}`);
    throw new RangeNotSatisfiable('The requested range is not satisfiable', { size_bytes: outcome.size, range: req.get('range') ?? null });
  }
  res.setHeader('ETag', outcome.etag);
  res.setHeader('Last-Modified', outcome.lastModified.toUTCString());
  if (outcome.kind === 'not_modified') return void res.status(304).end();
  // Stored content is the users': never let a browser sniff it into something active on our origin.
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  res.setHeader('Content-Type', file.mimeType);
  for (const [name, value] of Object.entries(extraHeaders)) res.setHeader(name, value);
  const length = outcome.range ? outcome.range.end - outcome.range.start + 1 : outcome.size;
  res.setHeader('Content-Length', String(length));
  if (outcome.range) res.setHeader('Content-Range', contentRange(outcome.range, outcome.size));
  res.status(outcome.range ? 206 : 200);
  if (!outcome.body) return void res.end();
  await sendStream(res, outcome.body);
}

/** GET and HEAD /api/v1/storage/stream/{file_id}: HTTP Range streaming (002 "Streaming"). */
export function storageStreamRoutes(routes: RouteBuilder, deps: StreamRouteDeps): void {
  for (const method of ['head', 'get'] as const) {
    routes.define({
      method,
      path: '/api/v1/storage/stream/:file_id',
      tag: 'Storage',
      auth: 'optional',
      summary: method === 'get' ? 'Stream a file, honouring HTTP Range' : 'Headers of a stream (size, type, validators), no body',
      description:
        'Single ranges (bytes=a-b, a-, -n) answer 206 with Content-Range; several ranges, an invalid header or a stale If-Range answer the ' +
        'whole file (200). If-None-Match matching the ETag (the quoted SHA-256) answers 304. Public files need no token.',
      params: FileIdParamsSchema,
      responses: {
        200: { description: 'The whole file', schema: BinarySchema, contentType: 'application/octet-stream' },
        206: { description: 'The requested range (Content-Range)', schema: BinarySchema, contentType: 'application/octet-stream' },
        304: { description: 'Not modified (If-None-Match)' },
        401: error('UNAUTHORIZED: the file is not public and no (valid) token was sent'),
        404: error('FILE_NOT_FOUND: no such file, or not yours'),
        416: error('RANGE_NOT_SATISFIABLE; Content-Range: bytes */size'),
        502: error('STORAGE_INTEGRITY_ERROR: an encrypted file\'s stored bytes failed authentication (nothing of them is served)'),
        503: error('STORAGE_BACKEND_ERROR: the provider is unreachable; ENCRYPTION_KEY_UNAVAILABLE: the file\'s master key is not in the keyring'),
      },
      handler: async ({ params }, { caller, res }) => {
        const file = await deps.readable(params.file_id, caller);
        await serveFile(deps.stream, file, res);
      },
    });
  }
}
