import type { DeleteFile } from '../../../application/storage/files/delete-file';
import type { GetFile } from '../../../application/storage/files/get-file';
import type { ListFiles } from '../../../application/storage/files/list-files';
import type { RestoreFile } from '../../../application/storage/files/restore-file';
import type { UpdateFile } from '../../../application/storage/files/update-file';
import { ErrorBodySchema } from '../openapi/error-schema';
import { groupMetadata, hasCompletedThumbnail, presentFile, presentUsage, urlsFor, type FileLinks } from '../presenters/storage-files.presenter';
import type { RouteBuilder } from '../route-builder';
import {
  DeleteFileQuerySchema,
  DeleteFileResponseSchema,
  FileDetailsResponseSchema,
  FileIdParamsSchema,
  ListFilesQuerySchema,
  ListFilesResponseSchema,
  RestoreFileResponseSchema,
  UpdateFileBodySchema,
  UpdateFileResponseSchema,
} from '../schemas/storage-files.schemas';

export interface FilesRouteDeps {
  listFiles: ListFiles;
  getFile: GetFile;
  updateFile: UpdateFile;
  deleteFile: DeleteFile;
  restoreFile: RestoreFile;
  links: FileLinks;
}

const NOT_FOUND = { description: 'FILE_NOT_FOUND: no such file, or not the caller\'s (admins see every file)', schema: ErrorBodySchema };
const NO_STORE = { 'Cache-Control': 'no-store' };

/** 002 "File Management": owner or admin; anyone else is told the file does not exist. */
export function storageFilesRoutes(routes: RouteBuilder, deps: FilesRouteDeps): void {
  const urls = (file: Parameters<typeof urlsFor>[1], hasThumbnail = false) => urlsFor(deps.links, file, hasThumbnail);

  routes.define({
    method: 'get',
    path: '/api/v1/storage/files',
    tag: 'Storage',
    auth: 'user',
    summary: 'The caller\'s files (an admin: any user\'s, with user_id), filtered, searched (name and tags), sorted and paged, with storage usage',
    query: ListFilesQuerySchema,
    responses: { 200: { description: 'A page of files', schema: ListFilesResponseSchema }, 403: { description: 'FORBIDDEN: user_id of another user without the admin role', schema: ErrorBodySchema } },
    handler: async ({ query }, ctx) => {
      const listing = await deps.listFiles.execute({
        caller: ctx.caller,
        sort: query.sort,
        order: query.order,
        page: query.page,
        limit: query.limit,
        trashed: query.trashed,
        ...(query.user_id ? { ownerId: query.user_id } : {}),
        ...(query.project_id ? { projectId: query.project_id } : {}),
        ...(query.file_type ? { fileType: query.file_type } : {}),
        ...(query.search ? { search: query.search } : {}),
      });
      return {
        status: 200,
        headers: NO_STORE,
        body: {
          files: listing.files.map(({ file, metadata, transformations }) => ({
            ...presentFile(file),
            urls: urls(file, hasCompletedThumbnail(transformations)),
            metadata: { ...file.metadata, ...groupMetadata(metadata) },
          })),
          pagination: { page: query.page, limit: query.limit, total: listing.total, pages: Math.ceil(listing.total / query.limit) },
          storage_usage: presentUsage(listing.usage),
        },
      };
    },
  });

  routes.define({
    method: 'get',
    path: '/api/v1/storage/files/:file_id',
    tag: 'Storage',
    auth: 'user',
    summary: 'A file: details, extracted metadata, URLs and transformations',
    params: FileIdParamsSchema,
    responses: { 200: { description: 'The file', schema: FileDetailsResponseSchema }, 404: NOT_FOUND },
    handler: async ({ params }, ctx) => {
      const details = await deps.getFile.execute({ caller: ctx.caller, fileId: params.file_id });
      return {
        status: 200,
        headers: NO_STORE,
        body: {
          file: presentFile(details.file),
          metadata: groupMetadata(details.metadata),
          urls: urls(details.file, hasCompletedThumbnail(details.transformations)),
          transformations: details.transformations.map((t) => ({ id: t.id, type: t.type, status: t.status, output_file_id: t.outputFileId })),
        },
      };
    },
  });

  routes.define({
    method: 'put',
    path: '/api/v1/storage/files/:file_id',
    tag: 'Storage',
    auth: 'user',
    summary: 'Rename a file, change its visibility or its metadata (merged key by key)',
    params: FileIdParamsSchema,
    body: UpdateFileBodySchema,
    responses: { 200: { description: 'Updated', schema: UpdateFileResponseSchema }, 404: NOT_FOUND },
    audit: { failuresOnly: true, action: 'file.update', targetType: 'file', targetId: ({ params }) => params.file_id, details: ({ body }) => ({ fields: Object.keys(body ?? {}) }) },
    handler: async ({ params, body }, ctx) => {
      const file = await deps.updateFile.execute({
        caller: ctx.caller,
        fileId: params.file_id,
        ...(body.original_name !== undefined ? { originalName: body.original_name } : {}),
        ...(body.is_public !== undefined ? { isPublic: body.is_public } : {}),
        ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
      });
      return {
        status: 200,
        body: {
          file: { id: file.id, original_name: file.originalName, is_public: file.isPublic, updated_at: file.updatedAt.toISOString() },
          message: 'File metadata updated successfully',
        },
      };
    },
  });

  routes.define({
    method: 'delete',
    path: '/api/v1/storage/files/:file_id',
    tag: 'Storage',
    auth: 'user',
    summary: 'Move a file to the trash (30 days to restore it), or delete it for good with permanent=true',
    description: 'Trashed files still count against the quota; a permanent deletion removes the stored objects (primary and backup) and frees it.',
    params: FileIdParamsSchema,
    query: DeleteFileQuerySchema,
    responses: {
      200: { description: 'Deleted', schema: DeleteFileResponseSchema },
      404: NOT_FOUND,
      503: { description: 'STORAGE_BACKEND_ERROR: the objects could not be deleted; the file is kept', schema: ErrorBodySchema },
    },
    audit: { failuresOnly: true, action: ({ query }) => (query.permanent ? 'file.delete_permanent' : 'file.trash'), targetType: 'file', targetId: ({ params }) => params.file_id, details: (_i, b) => ({ storage_freed_bytes: b?.['storage_freed_bytes'] ?? null }) },
    handler: async ({ params, query }, ctx) => {
      const result = await deps.deleteFile.execute({ caller: ctx.caller, fileId: params.file_id, permanent: query.permanent });
      return {
        status: 200,
        body: {
          file_id: result.file.id,
          deleted: true,
          permanent: result.permanent,
          recovery_deadline: result.recoveryDeadline?.toISOString() ?? null,
          storage_freed_bytes: result.freedBytes,
          message: result.permanent ? 'File deleted permanently.' : 'File moved to trash. Can be recovered within 30 days.',
        },
      };
    },
  });

  routes.define({
    method: 'post',
    path: '/api/v1/storage/files/:file_id/restore',
    tag: 'Storage',
    auth: 'user',
    summary: 'Take a file out of the trash',
    params: FileIdParamsSchema,
    responses: { 200: { description: 'Restored', schema: RestoreFileResponseSchema }, 404: NOT_FOUND },
    audit: { failuresOnly: true, action: 'file.restore', targetType: 'file', targetId: ({ params }) => params.file_id },
    handler: async ({ params }, ctx) => {
      const file = await deps.restoreFile.execute({ caller: ctx.caller, fileId: params.file_id });
      return { status: 200, body: { file: presentFile(file), message: 'File restored from trash' } };
    },
  });
}
