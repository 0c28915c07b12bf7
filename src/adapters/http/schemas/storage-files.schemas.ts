import { z } from '../openapi/zod';

const Uuid = z.string().uuid();
const DateTime = z.string().openapi({ format: 'date-time' });
const FileKind = z.enum(['image', 'video', 'audio', 'document', 'other']);
const JsonObject = z.record(z.string(), z.unknown());

/** The upload's `metadata` part (002): everything optional. */
export const UploadMetadataSchema = z
  .object({
    project_id: Uuid.nullable().optional(),
    description: z.string().max(2_000).optional(),
    tags: z.array(z.string().min(1).max(100)).max(50).optional(),
    is_public: z.boolean().optional(),
    auto_transform: z.boolean().optional(),
    custom_fields: JsonObject.optional(),
  })
  .strict();
export type UploadMetadata = z.infer<typeof UploadMetadataSchema>;

/** For the OpenAPI document only: the route reads the form as a stream. */
export const UploadFormSchema = z
  .object({
    metadata: z.string().optional().openapi({ description: 'JSON: {project_id, description, tags, is_public, auto_transform, custom_fields}; send it before `file`' }),
    file: z.string().openapi({ format: 'binary', description: 'The file; its part Content-Type is the declared type' }),
  })
  .openapi('UploadForm');

export const FileIdParamsSchema = z.object({ file_id: Uuid.openapi({ description: 'The file id' }) });

const UrlsSchema = z
  .object({ download: z.string(), cdn: z.string().nullable(), thumbnail: z.string().nullable(), preview: z.string().nullable() })
  .openapi('FileUrls');

const FileSchema = z
  .object({
    id: Uuid,
    user_id: Uuid,
    project_id: Uuid.nullable(),
    original_name: z.string(),
    file_path: z.string(),
    file_type: FileKind,
    mime_type: z.string(),
    size_bytes: z.number().int(),
    checksum_md5: z.string(),
    checksum_sha256: z.string(),
    storage_provider: z.string(),
    storage_tier: z.string(),
    is_public: z.boolean(),
    metadata: JsonObject,
    backup: z.object({ status: z.string(), provider: z.string().nullable(), attempts: z.number().int(), error: z.string().nullable() }),
    created_at: DateTime,
    updated_at: DateTime,
    deleted_at: DateTime.nullable(),
    recovery_deadline: DateTime.nullable(),
  })
  .openapi('StoredFile');

export const UploadResponseSchema = z
  .object({
    file: FileSchema,
    upload: z.object({ status: z.literal('completed'), upload_time_ms: z.number().int(), transfer_rate_mbps: z.number() }),
    urls: UrlsSchema,
  })
  .openapi('UploadResponse');

export const ListFilesQuerySchema = z
  .object({
    user_id: Uuid.optional().openapi({ description: 'Admins: list this user\'s files' }),
    project_id: Uuid.optional(),
    file_type: FileKind.optional(),
    search: z.string().min(1).max(200).optional(),
    sort: z.enum(['created_at', 'updated_at', 'original_name', 'size_bytes']).default('created_at'),
    order: z.enum(['asc', 'desc']).default('desc'),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    trashed: z.enum(['true', 'false']).default('false').transform((v) => v === 'true').openapi({ description: 'List the trash instead' }),
  })
  .strict();

export const ListFilesResponseSchema = z
  .object({
    files: z.array(FileSchema.extend({ urls: UrlsSchema, metadata: JsonObject })),
    pagination: z.object({ page: z.number().int(), limit: z.number().int(), total: z.number().int(), pages: z.number().int() }),
    storage_usage: z.object({ used_bytes: z.number().int(), quota_bytes: z.number().int().nullable(), usage_percent: z.number() }),
  })
  .openapi('FileList');

export const FileDetailsResponseSchema = z
  .object({
    file: FileSchema,
    metadata: JsonObject.openapi({ description: 'Extracted metadata grouped by kind: dimensions, exif, media, document' }),
    urls: UrlsSchema,
    transformations: z.array(z.object({ id: z.string(), type: z.string(), status: z.string(), output_file_id: z.string().nullable() })),
  })
  .openapi('FileDetails');

export const UpdateFileBodySchema = z
  .object({
    original_name: z.string().trim().min(1).max(255).optional(),
    is_public: z.boolean().optional(),
    metadata: z
      .object({ description: z.string().max(2_000).optional(), tags: z.array(z.string().min(1).max(100)).max(50).optional(), custom_fields: JsonObject.optional() })
      .strict()
      .optional(),
  })
  .strict()
  .openapi('UpdateFileRequest');

export const UpdateFileResponseSchema = z
  .object({
    file: z.object({ id: Uuid, original_name: z.string(), is_public: z.boolean(), updated_at: DateTime }),
    message: z.string(),
  })
  .openapi('UpdateFileResponse');

export const DeleteFileQuerySchema = z
  .object({ permanent: z.enum(['true', 'false']).default('false').transform((v) => v === 'true') })
  .strict();

export const DeleteFileResponseSchema = z
  .object({
    file_id: Uuid,
    deleted: z.literal(true),
    permanent: z.boolean(),
    recovery_deadline: DateTime.nullable(),
    storage_freed_bytes: z.number().int(),
    message: z.string(),
  })
  .openapi('DeleteFileResponse');

export const RestoreFileResponseSchema = z.object({ file: FileSchema, message: z.string() }).openapi('RestoreFileResponse');
