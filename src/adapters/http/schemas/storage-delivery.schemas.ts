import { z } from '../openapi/zod';

export const FileIdParamsSchema = z.object({ file_id: z.string().uuid().openapi({ example: '0b6f3c1e-9a4d-4c2b-8e1f-2a3b4c5d6e7f' }) });

const Disposition = z.enum(['inline', 'attachment']);
const Filename = z.string().min(1).max(255).openapi({ description: 'Name offered to the browser (Content-Disposition); defaults to the original name' });

export const DownloadQuerySchema = z
  .object({
    disposition: Disposition.default('attachment'),
    filename: Filename.optional(),
  })
  .openapi('DownloadQuery');

export const SignedDownloadQuerySchema = z
  .object({
    expires: z.string().regex(/^\d{1,12}$/).transform(Number).openapi({ type: 'string', description: 'Unix seconds after which the URL is refused' }),
    disposition: Disposition,
    filename: Filename.optional(),
    signature: z.string().min(1).max(128).openapi({ description: 'base64url HMAC-SHA256, issued by GET /download' }),
  })
  .openapi('SignedDownloadQuery');

export const BinarySchema = z.string().openapi({ type: 'string', format: 'binary' });
