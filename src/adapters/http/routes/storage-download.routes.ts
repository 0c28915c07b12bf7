import type { DownloadFile } from '../../../application/storage/delivery/download-file';
import type { OpenSignedDownload } from '../../../application/storage/delivery/open-signed-download';
import type { StreamFile } from '../../../application/storage/delivery/stream-file';
import { ErrorBodySchema } from '../openapi/error-schema';
import type { RouteBuilder } from '../route-builder';
import { BinarySchema, DownloadQuerySchema, FileIdParamsSchema, SignedDownloadQuerySchema } from '../schemas/storage-delivery.schemas';
import { serveFile } from './storage-stream.routes';

export interface DownloadRouteDeps {
  download: DownloadFile;
  openSigned: OpenSignedDownload;
  stream: StreamFile;
}

const error = (description: string) => ({ description, schema: ErrorBodySchema });

/** 002 "File Download": a 302 to a signed URL, and the service's own signed URLs for providers that sign none. */
export function storageDownloadRoutes(routes: RouteBuilder, deps: DownloadRouteDeps): void {
  routes.define({
    method: 'get',
    path: '/api/v1/storage/download/:file_id',
    tag: 'Storage',
    auth: 'optional',
    summary: 'Redirect (302) to a signed download URL',
    description:
      'A provider-signed URL (Azure SAS, S3 presigned) or, for the disk provider, GET /api/v1/storage/signed/{file_id} signed with ' +
      'HMAC-SHA256, valid SIGNED_URL_EXPIRES seconds. disposition and filename set Content-Disposition. Public files need no token.',
    params: FileIdParamsSchema,
    query: DownloadQuerySchema,
    responses: {
      302: { description: 'Location: the signed URL' },
      401: error('UNAUTHORIZED: the file is not public and no (valid) token was sent'),
      404: error('FILE_NOT_FOUND: no such file, or not yours'),
      503: error('STORAGE_BACKEND_ERROR: the provider could not sign'),
    },
    handler: async ({ params, query }, { caller }) => {
      const link = await deps.download.execute({ fileId: params.file_id, caller, disposition: query.disposition, filename: query.filename });
      return {
        status: 302,
        headers: {
          Location: link.url,
          'Content-Disposition': link.contentDisposition,
          'Cache-Control': link.file.isPublic ? `public, max-age=${link.expiresInSeconds}` : 'private, no-store',
        },
      };
    },
  });

  routes.define({
    method: 'get',
    path: '/api/v1/storage/signed/:file_id',
    tag: 'Storage',
    auth: 'none',
    summary: 'The file behind a service-signed URL (no token; the signature is the permission)',
    description: 'Honours Range like /stream. A changed parameter, a wrong signature or an expired URL answer 403 INVALID_SIGNATURE.',
    params: FileIdParamsSchema,
    query: SignedDownloadQuerySchema,
    responses: {
      200: { description: 'The file, with Content-Disposition', schema: BinarySchema, contentType: 'application/octet-stream' },
      206: { description: 'The requested range', schema: BinarySchema, contentType: 'application/octet-stream' },
      403: error('INVALID_SIGNATURE: tampered or expired (details.reason)'),
      404: error('FILE_NOT_FOUND: the file was deleted since the URL was issued'),
      416: error('RANGE_NOT_SATISFIABLE'),
      502: error('STORAGE_INTEGRITY_ERROR: an encrypted file\'s stored bytes failed authentication'),
      503: error('ENCRYPTION_KEY_UNAVAILABLE: the file\'s master key is not in the keyring'),
    },
    handler: async ({ params, query }, { res }) => {
      const { file, contentDisposition } = await deps.openSigned.execute({
        fileId: params.file_id,
        expires: query.expires,
        disposition: query.disposition,
        filename: query.filename ?? '',
        signature: query.signature,
      });
      await serveFile(deps.stream, file, res, { 'Content-Disposition': contentDisposition });
    },
  });
}
