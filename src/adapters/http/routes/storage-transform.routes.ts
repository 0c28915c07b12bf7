import type { CancelTransformation } from '../../../application/storage/transform/cancel-transformation';
import type { GetTransformation } from '../../../application/storage/transform/get-transformation';
import type { ListTransformations } from '../../../application/storage/transform/list-transformations';
import type { RequestTransformation } from '../../../application/storage/transform/request-transformation';
import type { Transformation } from '../../../application/ports/transformation-repository.port';
import type { StoredFile } from '../../../domain/storage/stored-file';
import { ErrorBodySchema } from '../openapi/error-schema';
import { urlsFor, type FileLinks } from '../presenters/storage-files.presenter';
import type { RouteBuilder } from '../route-builder';
import { ListTransformsQuerySchema, ListTransformsResponseSchema, TransformAcceptedSchema, TransformBodySchema, TransformIdParamsSchema, TransformStatusSchema } from '../schemas/storage-transform.schemas';

export interface TransformRouteDeps {
  requestTransformation: RequestTransformation;
  getTransformation: GetTransformation;
  listTransformations: ListTransformations;
  cancelTransformation: CancelTransformation;
  links: FileLinks;
}

const NOT_FOUND = { description: 'FILE_NOT_FOUND / NOT_FOUND: no such file or job, or not the caller\'s', schema: ErrorBodySchema };
const NO_STORE = { 'Cache-Control': 'no-store' };

/** 002 "File Transformation": jobs on the caller's files (an admin: anyone's). */
export function storageTransformRoutes(routes: RouteBuilder, deps: TransformRouteDeps): void {
  routes.define({
    method: 'post',
    path: '/api/v1/storage/transform',
    tag: 'Storage',
    auth: 'user',
    summary: 'Queue a transformation of a file (resize, conversion, compression, thumbnail, audio/video variants, waveform, text extraction, OCR)',
    body: TransformBodySchema,
    responses: {
      202: { description: 'Queued', schema: TransformAcceptedSchema },
      400: { description: 'VALIDATION_ERROR: unknown type or bad parameters', schema: ErrorBodySchema },
      404: NOT_FOUND,
      422: { description: 'UNSUPPORTED_TRANSFORMATION: not in the transformation matrix for this file type, or no engine for it here', schema: ErrorBodySchema },
    },
    audit: { action: 'transform.request', targetType: 'file', targetId: ({ body }) => body.source_file_id, details: ({ body }, b) => ({ transformation_type: body.transformation_type, transformation_id: (b?.['transformation'] as { id?: string } | undefined)?.id ?? null }) },
    handler: async ({ body }, ctx) => {
      const { transformation: t, queuePosition, estimatedCompletion } = await deps.requestTransformation.execute({
        caller: ctx.caller,
        sourceFileId: body.source_file_id,
        type: body.transformation_type,
        parameters: body.parameters,
        outputName: body.output_name ?? null,
      });
      return {
        status: 202,
        headers: { ...NO_STORE, Location: `/api/v1/storage/transform/${t.id}` },
        body: {
          transformation: {
            id: t.id,
            source_file_id: t.sourceFileId,
            transformation_type: t.type,
            status: t.status,
            progress_percent: t.progressPercent,
            estimated_completion: estimatedCompletion.toISOString(),
            created_at: t.createdAt.toISOString(),
          },
          queue_position: queuePosition,
        },
      };
    },
  });

  routes.define({
    method: 'get',
    path: '/api/v1/storage/transform',
    tag: 'Storage',
    auth: 'user',
    summary: 'The caller\'s transformations (an admin: every user\'s, or one user\'s with user_id), newest first, filtered by status or source file, paged',
    query: ListTransformsQuerySchema,
    responses: {
      200: { description: 'A page of jobs', schema: ListTransformsResponseSchema },
      400: { description: 'VALIDATION_ERROR: bad filter or page', schema: ErrorBodySchema },
      403: { description: 'FORBIDDEN: user_id of another user without the admin role', schema: ErrorBodySchema },
    },
    handler: async ({ query }, ctx) => {
      const listing = await deps.listTransformations.execute({
        caller: ctx.caller,
        page: query.page,
        limit: query.limit,
        ...(query.user_id ? { userId: query.user_id } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.source_file_id ? { sourceFileId: query.source_file_id } : {}),
      });
      return {
        status: 200,
        headers: NO_STORE,
        body: {
          transformations: listing.items.map(({ transformation: t, sourceFile, outputFile }) => {
            const { transformation, output_file } = present(t, outputFile, deps.links);
            return {
              transformation: { ...transformation, user_id: t.userId || null, parameters: t.parameters, created_at: t.createdAt.toISOString() },
              source_file: sourceFile
                ? { id: sourceFile.id, original_name: sourceFile.originalName, mime_type: sourceFile.mimeType, file_type: sourceFile.fileType, size_bytes: sourceFile.sizeBytes }
                : null,
              output_file,
            };
          }),
          pagination: { page: query.page, limit: query.limit, total: listing.total, pages: Math.ceil(listing.total / query.limit) },
        },
      };
    },
  });

  routes.define({
    method: 'get',
    path: '/api/v1/storage/transform/:transform_id',
    tag: 'Storage',
    auth: 'user',
    summary: 'A transformation\'s status and progress, and its output file once completed',
    params: TransformIdParamsSchema,
    responses: { 200: { description: 'The job', schema: TransformStatusSchema }, 404: NOT_FOUND },
    handler: async ({ params }, ctx) => {
      const { transformation, outputFile } = await deps.getTransformation.execute({ caller: ctx.caller, id: params.transform_id });
      return { status: 200, headers: NO_STORE, body: present(transformation, outputFile, deps.links) };
    },
  });

  routes.define({
    method: 'delete',
    path: '/api/v1/storage/transform/:transform_id',
    tag: 'Storage',
    auth: 'user',
    summary: 'Cancel a queued or running transformation; nothing of it is kept',
    params: TransformIdParamsSchema,
    responses: {
      200: { description: 'Cancelled', schema: TransformStatusSchema },
      404: NOT_FOUND,
      409: { description: 'CONFLICT: the job already completed, failed or was cancelled', schema: ErrorBodySchema },
    },
    audit: { action: 'transform.cancel', targetType: 'transformation', targetId: ({ params }) => params.transform_id },
    handler: async ({ params }, ctx) => {
      const transformation = await deps.cancelTransformation.execute({ caller: ctx.caller, id: params.transform_id });
      return { status: 200, headers: NO_STORE, body: present(transformation, null, deps.links) };
    },
  });
}

function present(t: Transformation, output: StoredFile | null, links: FileLinks) {
  return {
    transformation: {
      id: t.id,
      source_file_id: t.sourceFileId,
      target_file_id: t.targetFileId,
      transformation_type: t.type,
      status: t.status,
      progress_percent: t.progressPercent,
      started_at: t.startedAt?.toISOString() ?? null,
      completed_at: t.completedAt?.toISOString() ?? null,
      processing_time_ms: t.processingTimeMs,
      error_message: t.errorMessage,
    },
    output_file: output
      ? { id: output.id, original_name: output.originalName, mime_type: output.mimeType, size_bytes: output.sizeBytes, urls: urlsFor(links, output) }
      : null,
  };
}
