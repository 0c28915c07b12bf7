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

export const TransformStatusSchema = z
  .object({
    transformation: z.object({
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
    }),
    output_file: z
      .object({
        id: Uuid,
        original_name: z.string(),
        mime_type: z.string(),
        size_bytes: z.number().int(),
        urls: z.object({ download: z.string(), cdn: z.string().nullable(), thumbnail: z.string().nullable(), preview: z.string().nullable() }),
      })
      .nullable(),
  })
  .openapi('TransformStatus');
