import type { Clock } from '../../../application/ports/clock.port';
import type { GetResumableUpload } from '../../../application/storage/uploads/get-resumable-upload';
import type { InitResumableUpload } from '../../../application/storage/uploads/init-resumable-upload';
import type { UploadChunk } from '../../../application/storage/uploads/upload-chunk';
import { DomainError } from '../../../domain/shared/domain-error';
import { ValidationFailed } from '../../../domain/shared/errors';
import { UnsupportedMediaType } from '../errors/http-errors';
import { ErrorBodySchema } from '../openapi/error-schema';
import { presentFile, urlsFor, type FileLinks } from '../presenters/storage-files.presenter';
import { presentProgress, presentSession } from '../presenters/resumable-upload.presenter';
import type { RouteBuilder } from '../route-builder';
import { ChunkResponseSchema, InitResumableBodySchema, InitResumableResponseSchema, SessionParamsSchema, SessionResponseSchema } from '../schemas/resumable-upload.schemas';
import { isUuid } from '../../../domain/shared/uuid';

export interface ResumableRouteDeps {
  init: InitResumableUpload;
  uploadChunk: UploadChunk;
  status: GetResumableUpload;
  clock: Clock;
  publicBaseUrl: string;
  links: FileLinks;
}

const error = (description: string) => ({ description, schema: ErrorBodySchema });
const MD5 = /^[0-9a-f]{32}$/i;

/** 002's resumable upload: init, chunks in any order, and the session's state for resuming. */
export function resumableUploadRoutes(routes: RouteBuilder, deps: ResumableRouteDeps): void {
  routes.define({
    method: 'post',
    path: '/api/v1/storage/upload/resumable/init',
    tag: 'Storage',
    auth: 'user',
    summary: 'Open a resumable upload session',
    description: 'The session lives in PostgreSQL (it survives restarts) until expires_at. Type, quota and duplicates are checked at completion.',
    body: InitResumableBodySchema,
    responses: {
      201: { description: 'Session opened', schema: InitResumableResponseSchema },
      413: error('FILE_TOO_LARGE: file_size exceeds MAX_FILE_SIZE'),
      503: error('STORAGE_BACKEND_ERROR'),
    },
    handler: async ({ body }, { caller }) => {
      const session = await deps.init.execute({
        caller,
        filename: body.filename,
        fileSize: body.file_size,
        mimeType: body.mime_type,
        chunkSize: body.chunk_size,
        projectId: body.project_id ?? null,
        metadata: body.metadata ?? {},
        checksumMd5: body.checksum_md5 ?? null,
      });
      return {
        status: 201,
        headers: { Location: `/api/v1/storage/upload/resumable/${session.id}` },
        body: {
          upload_session: {
            session_id: session.id,
            upload_url: `${deps.publicBaseUrl}/api/v1/storage/upload/resumable/chunk`,
            chunk_size: session.chunkSize,
            total_chunks: session.totalChunks,
            expires_at: session.expiresAt.toISOString(),
          },
          file: { id: session.fileId, status: 'uploading' as const, progress: 0 },
        },
      };
    },
  });

  routes.define({
    method: 'put',
    path: '/api/v1/storage/upload/resumable/chunk',
    uploadSlot: true,
    tag: 'Storage',
    auth: 'user',
    summary: 'Upload one chunk (raw application/octet-stream body)',
    description:
      'Headers: X-Upload-Session (session id), X-Chunk-Index (0..total_chunks-1), X-Chunk-Checksum (md5 hex, optional, verified). ' +
      'Every chunk is chunk_size bytes except the last. Any order, in parallel; re-sending a chunk is idempotent. The chunk that ' +
      'completes the upload answers 201 with the file and urls, exactly as POST /upload (same checks).',
    responses: {
      200: { description: 'Chunk stored', schema: ChunkResponseSchema },
      201: { description: 'Last chunk: the file is created', schema: ChunkResponseSchema },
      404: error('UPLOAD_SESSION_NOT_FOUND: unknown session, or another user\'s'),
      409: error('CONFLICT: the session already completed or failed; or DUPLICATE_FILE at completion'),
      410: error('UPLOAD_SESSION_EXPIRED'),
      413: error('PAYLOAD_TOO_LARGE, FILE_TOO_LARGE or QUOTA_EXCEEDED (at completion)'),
      415: error('UNSUPPORTED_MEDIA_TYPE (a JSON body) or INVALID_FILE_TYPE (at completion)'),
      422: error('CHECKSUM_MISMATCH: the chunk (or, at completion, the file) does not match its md5'),
      503: error('STORAGE_BACKEND_ERROR'),
      507: error('INSUFFICIENT_STORAGE: the object store is full; the chunk is not kept'),
    },
    handler: async (_input, { caller, res }) => {
      const req = res.req;
      if (req.is('application/json') || req.is('+json')) throw new UnsupportedMediaType('Chunks are raw bytes: send application/octet-stream');
      const sessionId = req.get('x-upload-session') ?? '';
      const indexHeader = req.get('x-chunk-index') ?? '';
      const checksum = req.get('x-chunk-checksum')?.trim() || null;
      const issues = [
        ...(isUuid(sessionId) ? [] : [{ path: 'headers.x-upload-session', message: 'expected the session_id of init' }]),
        ...(/^\d{1,9}$/.test(indexHeader) ? [] : [{ path: 'headers.x-chunk-index', message: 'expected a chunk index (0, 1, ...)' }]),
        ...(checksum === null || MD5.test(checksum) ? [] : [{ path: 'headers.x-chunk-checksum', message: 'expected an md5 in hex' }]),
      ];
      if (issues.length > 0) throw new ValidationFailed('Invalid chunk headers', issues);
      let result;
      try {
        const declared = req.get('content-length');
        const declaredLength = declared && /^\d{1,15}$/.test(declared) ? Number(declared) : null;
        result = await deps.uploadChunk.execute({ caller, sessionId, index: Number(indexHeader), body: req, declaredLength, checksumMd5: checksum });
      } catch (e) {
        // A client gone mid-chunk is nobody's error: nothing was recorded, it re-sends the chunk.
        if (req.destroyed && !(e instanceof DomainError)) return;
        // The rest of the body may be unread: closing after the answer stops the client sending it.
        if (!res.headersSent) res.setHeader('Connection', 'close');
        throw e;
      }
      const now = deps.clock.now();
      const chunk = { index: result.index, status: 'uploaded' as const, checksum_verified: result.checksumVerified };
      const upload = { ...presentProgress(result.session, now), status: result.session.status };
      if (!result.file) return { status: 200, body: { chunk, upload } };
      const uploadTimeMs = now.getTime() - result.session.createdAt.getTime();
      const mbps = uploadTimeMs > 0 ? Math.round(((result.file.sizeBytes * 8) / 1e6 / (uploadTimeMs / 1000)) * 100) / 100 : 0;
      return {
        status: 201,
        headers: { Location: `/api/v1/storage/files/${result.file.id}` },
        body: {
          chunk,
          upload: { ...upload, status: 'completed', upload_time_ms: uploadTimeMs, transfer_rate_mbps: mbps },
          file: presentFile(result.file),
          urls: urlsFor(deps.links, result.file),
        },
      };
    },
  });

  routes.define({
    method: 'get',
    path: '/api/v1/storage/upload/resumable/:session_id',
    tag: 'Storage',
    auth: 'user',
    summary: 'A session\'s state: chunks received (with their md5) and missing, to resume after a crash',
    params: SessionParamsSchema,
    responses: {
      200: { description: 'The session', schema: SessionResponseSchema },
      404: error('UPLOAD_SESSION_NOT_FOUND'),
      410: error('UPLOAD_SESSION_EXPIRED'),
    },
    handler: async ({ params }, { caller }) => {
      const session = await deps.status.execute({ caller, sessionId: params.session_id });
      return { status: 200, headers: { 'Cache-Control': 'no-store' }, body: presentSession(session, deps.clock.now()) };
    },
  });
}
