import { TRANSFORMATION_TYPES } from '../../../application/storage/transform/transform-plan';
import { z } from '../openapi/zod';

const Uuid = z.string().uuid();
const DateTime = z.string().openapi({ format: 'date-time' });
const Status = z.enum(['queued', 'processing', 'completed', 'failed', 'cancelled']);

export const TransformBodySchema = z
  .object({
    source_file_id: Uuid,
    transformation_type: z.string().min(1).max(100).openapi({ enum: [...TRANSFORMATION_TYPES] }),
    parameters: z.record(z.string(), z.unknown()).default({}),
    output_name: z.string().trim().min(1).max(255).optional(),
  })
  .strict()
  .openapi('TransformRequest');

export const TransformIdParamsSchema = z.object({ transform_id: Uuid.openapi({ description: 'The transformation id' }) });

export const TransformAcceptedSchema = z
  .object({
    transformation: z.object({
      id: Uuid,
      source_file_id: Uuid,
      transformation_type: z.string(),
      status: Status,
      progress_percent: z.number().int(),
      estimated_completion: DateTime,
      created_at: DateTime,
    }),
    queue_position: z.number().int(),
  })
  .openapi('TransformAccepted');

const TransformationSchema = z.object({
  id: Uuid,
  source_file_id: Uuid,
  target_file_id: Uuid.nullable(),
  transformation_type: z.string(),
  status: Status,
  progress_percent: z.number().int(),
  started_at: DateTime.nullable(),
  completed_at: DateTime.nullable(),
  processing_time_ms: z.number().int().nullable(),
  error_message: z.string().nullable(),
});

const OutputFileSchema = z
  .object({
    id: Uuid,
    original_name: z.string(),
    mime_type: z.string(),
    size_bytes: z.number().int(),
    urls: z.object({ download: z.string(), cdn: z.string().nullable(), thumbnail: z.string().nullable(), preview: z.string().nullable() }),
  })
  .nullable();

export const TransformStatusSchema = z
  .object({ transformation: TransformationSchema, output_file: OutputFileSchema })
  .openapi('TransformStatus');

export const ListTransformsQuerySchema = z
  .object({
    user_id: Uuid.optional().openapi({ description: 'One user\'s jobs: the caller\'s own, or (admins) anyone\'s. Unset: the caller\'s own jobs; an admin\'s: every user\'s' }),
    status: Status.optional(),
    source_file_id: Uuid.optional().openapi({ description: 'Only jobs started from this file' }),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

export const ListTransformsResponseSchema = z
  .object({
    transformations: z.array(
      z.object({
        transformation: TransformationSchema.extend({ user_id: Uuid.nullable(), parameters: z.record(z.string(), z.unknown()), created_at: DateTime }),
        source_file: z
          .object({ id: Uuid, original_name: z.string(), mime_type: z.string(), file_type: z.string(), size_bytes: z.number().int() })
          .nullable()
          .openapi({ description: 'null when the source is gone' }),
        output_file: OutputFileSchema.openapi({ description: 'The output once completed (null otherwise)' }),
      }),
    ),
    pagination: z.object({ page: z.number().int(), limit: z.number().int(), total: z.number().int(), pages: z.number().int() }),
  })
  .openapi('TransformList');
