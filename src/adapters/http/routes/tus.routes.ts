import type { Request, Response } from 'express';
import type { InitResumableUpload } from '../../../application/storage/uploads/init-resumable-upload';
import type { TerminateUpload } from '../../../application/storage/uploads/terminate-upload';
import type { TusAppend } from '../../../application/storage/uploads/tus-append';
import { DomainError } from '../../../domain/shared/domain-error';
import { ValidationFailed } from '../../../domain/shared/errors';
import { ChecksumMismatch } from '../../../domain/storage/errors';
import { UnsupportedMediaType } from '../errors/http-errors';
import { TusChecksumMismatch, TusVersionUnsupported } from '../errors/tus-errors';
import { ErrorBodySchema } from '../openapi/error-schema';
import type { RouteBuilder } from '../route-builder';
import { SessionParamsSchema } from '../schemas/resumable-upload.schemas';
import { parseTusMetadata } from './tus-metadata';

export interface TusRouteDeps {
  create: InitResumableUpload;
  append: TusAppend;
  terminate: TerminateUpload;
  maxFileSizeBytes: number;
  /** Part size recorded for tus sessions and handed to the staging; PATCHes of any length append in place. */
  chunkSize: number;
}

const BASE = '/api/v1/storage/tus';
const EXTENSIONS = 'creation,termination,checksum,expiration';
const error = (description: string) => ({ description, schema: ErrorBodySchema });

function tusHeaders(res: Response): void {
  res.setHeader('Tus-Resumable', '1.0.0');
  res.setHeader('Cache-Control', 'no-store');
}

function requireTus(req: Request, res: Response): void {
  tusHeaders(res);
  if (req.get('tus-resumable') !== '1.0.0') {
    res.setHeader('Tus-Version', '1.0.0');
    throw new TusVersionUnsupported('Tus-Resumable: 1.0.0 is required', { supported: ['1.0.0'] });
  }
}

const expires = (at: Date) => at.toUTCString();

/** tus 1.0 (core, creation, termination, checksum, expiration) over the resumable sessions: one completion path. */
export function tusRoutes(routes: RouteBuilder, deps: TusRouteDeps): void {
  routes.define({
    method: 'options',
    path: BASE,
    tag: 'Storage (tus)',
    auth: 'none',
    summary: 'tus discovery: version, extensions, maximum size, checksum algorithms',
    responses: { 204: { description: 'Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm' } },
    handler: async () => ({
      status: 204,
      headers: { 'Tus-Resumable': '1.0.0', 'Tus-Version': '1.0.0', 'Tus-Extension': EXTENSIONS, 'Tus-Max-Size': String(deps.maxFileSizeBytes), 'Tus-Checksum-Algorithm': 'md5,sha1' },
    }),
  });

  routes.define({
    method: 'post',
    path: BASE,
    tag: 'Storage (tus)',
    auth: 'user',
    summary: 'tus creation: Upload-Length and Upload-Metadata (filename, filetype, project_id, is_public, description)',
    responses: {
      201: { description: 'Location of the upload; Upload-Expires' },
      412: error('TUS_VERSION_UNSUPPORTED'),
      413: error('FILE_TOO_LARGE'),
    },
    handler: async (_input, { caller, res }) => {
      requireTus(res.req, res);
      const length = res.req.get('upload-length') ?? '';
      if (!/^\d{1,15}$/.test(length)) throw new ValidationFailed('Upload-Length is required', [{ path: 'headers.upload-length', message: 'expected a byte count' }]);
      const meta = parseTusMetadata(res.req.get('upload-metadata'));
      const session = await deps.create.execute({
        caller,
        filename: meta.filename,
        fileSize: Number(length),
        mimeType: meta.mimeType,
        chunkSize: deps.chunkSize,
        projectId: meta.projectId,
        metadata: meta.metadata,
        checksumMd5: null,
      });
      return { status: 201, headers: { Location: `${BASE}/${session.id}`, 'Upload-Expires': expires(session.expiresAt) } };
    },
  });

  routes.define({
    method: 'head',
    path: `${BASE}/:session_id`,
    tag: 'Storage (tus)',
    auth: 'user',
    summary: 'tus offset: how many bytes the upload holds',
    params: SessionParamsSchema,
    responses: { 200: { description: 'Upload-Offset, Upload-Length, Upload-Expires' }, 404: error('UPLOAD_SESSION_NOT_FOUND'), 410: error('UPLOAD_SESSION_EXPIRED') },
    handler: async ({ params }, { caller, res }) => {
      requireTus(res.req, res);
      const { session, offset } = await deps.append.current(caller, params.session_id);
      return { status: 200, headers: { 'Upload-Offset': String(offset), 'Upload-Length': String(session.sizeBytes), 'Upload-Expires': expires(session.expiresAt) } };
    },
  });

  routes.define({
    method: 'patch',
    path: `${BASE}/:session_id`,
    uploadSlot: true,
    tag: 'Storage (tus)',
    auth: 'user',
    summary: 'tus append (application/offset+octet-stream at Upload-Offset); the last bytes create the file as POST /upload does',
    params: SessionParamsSchema,
    responses: {
      204: { description: 'Upload-Offset: the bytes now held' },
      409: error('CONFLICT: Upload-Offset is not where the upload stands'),
      410: error('UPLOAD_SESSION_EXPIRED'),
      415: error('UNSUPPORTED_MEDIA_TYPE, or INVALID_FILE_TYPE at completion'),
      460: error('TUS_CHECKSUM_MISMATCH: Upload-Checksum does not match the body'),
      507: error('INSUFFICIENT_STORAGE: the object store is full; the offset stays where it was'),
    },
    handler: async ({ params }, { caller, res }) => {
      const req = res.req;
      requireTus(req, res);
      if (req.get('content-type') !== 'application/offset+octet-stream') throw new UnsupportedMediaType('PATCH bodies are application/offset+octet-stream');
      const offset = req.get('upload-offset') ?? '';
      if (!/^\d{1,15}$/.test(offset)) throw new ValidationFailed('Upload-Offset is required', [{ path: 'headers.upload-offset', message: 'expected a byte offset' }]);
      const checksum = parseChecksum(req.get('upload-checksum'));
      try {
        const result = await deps.append.execute({ caller, sessionId: params.session_id, offset: Number(offset), body: req, checksum });
        return { status: 204, headers: { 'Upload-Offset': String(result.offset) } };
      } catch (e) {
        if (e instanceof ChecksumMismatch && checksum) throw new TusChecksumMismatch(e.message, e.details);
        // A client that pauses or loses its connection mid-PATCH: the bytes it sent are kept, HEAD says where to resume.
        if (req.destroyed && !(e instanceof DomainError)) return;
        throw e;
      }
    },
  });

  routes.define({
    method: 'delete',
    path: `${BASE}/:session_id`,
    tag: 'Storage (tus)',
    auth: 'user',
    summary: 'tus termination: drop the upload',
    params: SessionParamsSchema,
    responses: { 204: { description: 'Terminated' }, 404: error('UPLOAD_SESSION_NOT_FOUND'), 410: error('UPLOAD_SESSION_EXPIRED') },
    handler: async ({ params }, { caller, res }) => {
      requireTus(res.req, res);
      await deps.terminate.execute({ caller, sessionId: params.session_id });
      return { status: 204 };
    },
  });
}

function parseChecksum(header: string | undefined): { algorithm: 'md5' | 'sha1'; digest: Buffer } | null {
  if (!header) return null;
  const [algorithm, digest] = header.trim().split(/\s+/);
  if ((algorithm !== 'md5' && algorithm !== 'sha1') || !digest) {
    throw new ValidationFailed('Upload-Checksum: md5 or sha1 and a base64 digest', [{ path: 'headers.upload-checksum', message: 'supported: md5, sha1' }]);
  }
  return { algorithm, digest: Buffer.from(digest, 'base64') };
}
