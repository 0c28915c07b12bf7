import type { UploadDetails, UploadFile } from '../../../application/storage/uploads/upload-file';
import { ValidationFailed } from '../../../domain/shared/errors';
import { receiveUpload } from '../multipart-upload';
import { ErrorBodySchema } from '../openapi/error-schema';
import { presentFile, urlsFor, type FileLinks } from '../presenters/storage-files.presenter';
import type { RouteBuilder } from '../route-builder';
import { assertStorable } from '../storable-input';
import { UploadFormSchema, UploadMetadataSchema, UploadResponseSchema } from '../schemas/storage-files.schemas';

export interface UploadRouteDeps {
  uploadFile: UploadFile;
  maxFileSizeBytes: number;
  links: FileLinks;
}

const MD5 = /^[0-9a-fA-F]{32}$/;

/** POST /api/v1/storage/upload (002): multipart, so no JSON `body` schema; the form is described in prose. */
export function storageUploadRoutes(routes: RouteBuilder, deps: UploadRouteDeps): void {
  routes.define({
    method: 'post',
    path: '/api/v1/storage/upload',
    uploadSlot: true,
    tag: 'Storage',
    auth: 'user',
    summary: 'Upload a file (multipart/form-data, streamed to the storage provider)',
    description:
      'multipart/form-data with a `file` part (its Content-Type is the declared type) and an optional `metadata` part, JSON: ' +
      '{project_id, description, tags, is_public, auto_transform, custom_fields}. Send `metadata` before `file` for the object key to include the project folder. ' +
      'Optional header X-File-Checksum: the md5 (hex) of the file. The type is sniffed from the bytes and must match the declared one and ALLOWED_MIME_TYPES.',
    multipartBody: UploadFormSchema,
    responses: {
      201: { description: 'Stored', schema: UploadResponseSchema },
      409: { description: 'DUPLICATE_FILE: the caller already stores this content (details.existing_file_id)', schema: ErrorBodySchema },
      413: { description: 'FILE_TOO_LARGE (MAX_FILE_SIZE) or QUOTA_EXCEEDED (details.user_quota_remaining)', schema: ErrorBodySchema },
      415: { description: 'INVALID_FILE_TYPE: content not allowed, unrecognised, or not what was declared', schema: ErrorBodySchema },
      422: { description: 'CHECKSUM_MISMATCH: X-File-Checksum differs from the received bytes', schema: ErrorBodySchema },
      503: { description: 'STORAGE_BACKEND_ERROR: the storage provider failed; nothing was kept', schema: ErrorBodySchema },
      507: { description: 'INSUFFICIENT_STORAGE: the object store is full; nothing was kept', schema: ErrorBodySchema },
    },
    handler: async (_input, ctx) => {
      const req = ctx.res.req;
      const checksum = req.get('x-file-checksum')?.trim() || null;
      if (checksum !== null && !MD5.test(checksum)) {
        throw new ValidationFailed('X-File-Checksum must be an md5 in hex', [{ path: 'headers.x-file-checksum', message: 'expected 32 hex digits' }]);
      }
      const owner = { userId: ctx.caller.userId, role: ctx.caller.role };
      try {
        const result = await receiveUpload(req, deps.maxFileSizeBytes, parseMetadata, (part, metadata) =>
          deps.uploadFile.execute({
            owner,
            fileName: part.fileName,
            declaredMimeType: part.mimeType,
            expectedMd5: checksum,
            body: part.stream,
            details: metadata as UploadDetails | Promise<UploadDetails>,
          }),
        );
        return {
          status: 201,
          headers: { Location: `/api/v1/storage/files/${result.file.id}` },
          body: {
            file: presentFile(result.file),
            upload: { status: 'completed', upload_time_ms: result.uploadTimeMs, transfer_rate_mbps: result.transferRateMbps },
            urls: urlsFor(deps.links, result.file),
          },
        };
      } catch (error) {
        // The rest of the body is not read: closing the connection after the answer stops the client sending it.
        if (!ctx.res.headersSent) ctx.res.setHeader('Connection', 'close');
        throw error;
      }
    },
  });
}

function parseMetadata(raw: string | null): UploadDetails {
  if (raw === null) return { projectId: null, isPublic: false, metadata: {} };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ValidationFailed('The metadata part is not JSON', [{ path: 'body.metadata', message: 'malformed JSON' }]);
  }
  // The form field skips the JSON body check of app.ts: the same limits (NUL, lone surrogates, depth) here.
  assertStorable(json, 'body.metadata');
  const parsed = UploadMetadataSchema.safeParse(json);
  if (!parsed.success) {
    throw new ValidationFailed(
      'Invalid metadata part',
      parsed.error.issues.map((issue) => ({ path: ['body', 'metadata', ...issue.path.map(String)].join('.'), message: issue.message })),
    );
  }
  const { project_id, is_public, ...rest } = parsed.data;
  return { projectId: project_id ?? null, isPublic: is_public ?? false, metadata: rest };
}
