import { MAX_CHUNK_SIZE, MIN_CHUNK_SIZE } from '../../../domain/storage/upload-session';
import { z } from '../openapi/zod';

export const InitResumableBodySchema = z
  .object({
    filename: z.string().min(1).max(255).openapi({ example: 'large_video.mp4' }),
    file_size: z.number().int().min(0).openapi({ example: 104857600 }),
    mime_type: z.string().min(1).max(100).openapi({ example: 'video/mp4' }),
    chunk_size: z.number().int().min(MIN_CHUNK_SIZE).max(MAX_CHUNK_SIZE).optional().openapi({ description: '256 KiB to 100 MiB; default 5 MiB' }),
    project_id: z.string().uuid().nullable().optional(),
    metadata: z.record(z.string(), z.unknown()).optional().openapi({ description: 'description, tags, custom_fields, is_public' }),
    checksum_md5: z.string().regex(/^[a-fA-F0-9]{32}$/).optional().openapi({ description: 'md5 of the whole file, verified at completion' }),
  })
  .strict()
  .openapi('InitResumableUploadRequest');

export const InitResumableResponseSchema = z
  .object({
    upload_session: z.object({
      session_id: z.string(),
      upload_url: z.string(),
      chunk_size: z.number().int(),
      total_chunks: z.number().int(),
      expires_at: z.string().openapi({ format: 'date-time' }),
    }),
    file: z.object({ id: z.string(), status: z.literal('uploading'), progress: z.number() }),
  })
  .openapi('InitResumableUploadResponse');

const UploadProgressSchema = z.object({
  progress_percent: z.number(),
  chunks_uploaded: z.number().int(),
  chunks_remaining: z.number().int(),
  estimated_completion: z.string().nullable().openapi({ format: 'date-time' }),
});

export const ChunkResponseSchema = z
  .object({
    chunk: z.object({ index: z.number().int(), status: z.literal('uploaded'), checksum_verified: z.boolean() }),
    upload: UploadProgressSchema.extend({
      status: z.enum(['uploading', 'completing', 'completed']).optional(),
      upload_time_ms: z.number().optional(),
      transfer_rate_mbps: z.number().optional(),
    }),
    file: z.record(z.string(), z.unknown()).optional().openapi({ description: 'Once the last chunk completed the upload: the file, as POST /upload answers' }),
    urls: z.record(z.string(), z.string().nullable()).optional(),
  })
  .openapi('UploadChunkResponse');

export const SessionParamsSchema = z.object({ session_id: z.string().uuid() });

export const SessionResponseSchema = z
  .object({
    upload_session: z.object({
      session_id: z.string(),
      status: z.enum(['uploading', 'completing', 'completed', 'failed', 'expired']),
      file_id: z.string(),
      filename: z.string(),
      file_size: z.number().int(),
      chunk_size: z.number().int(),
      total_chunks: z.number().int(),
      expires_at: z.string().openapi({ format: 'date-time' }),
    }),
    chunks: z.array(z.object({ index: z.number().int(), checksum_md5: z.string() })),
    missing_chunks: z.array(z.number().int()),
    upload: UploadProgressSchema,
  })
  .openapi('ResumableUploadStatus');
