import { RENDER_FITS, RENDER_FORMATS, RENDER_POSITIONS } from '../../../domain/storage/rendition';
import { z } from '../openapi/zod';

/** Query values are text: digits only (no `1e3`, no blanks), then the range; the 400 names the parameter. */
const wholeNumber = (min: number, max: number, description: string) =>
  z
    .string()
    .regex(/^\d{1,9}$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `expected at least ${min}`).max(max, `expected at most ${max}`))
    .optional()
    .openapi({ type: 'integer', minimum: min, maximum: max, description });

const decimal = (min: number, max: number, description: string) =>
  z
    .string()
    .regex(/^\d{1,6}(\.\d{1,3})?$/, `expected a number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `expected at least ${min}`).max(max, `expected at most ${max}`))
    .optional()
    .openapi({ type: 'number', minimum: min, maximum: max, description });

const renderFields = {
  width: wholeNumber(1, 16_384, 'Target width in CSS pixels (times dpr at most RENDER_MAX_DIMENSION)'),
  height: wholeNumber(1, 16_384, 'Target height in CSS pixels (times dpr at most RENDER_MAX_DIMENSION)'),
  fit: z.enum(RENDER_FITS).optional().openapi({ description: 'How the image fills width × height (default cover; inside when only one side is given)' }),
  position: z.enum(RENDER_POSITIONS).optional().openapi({ description: 'Crop anchor for cover / contain; attention and entropy are smart crops (cover only)' }),
  format: z.enum(RENDER_FORMATS).optional().openapi({ description: 'Output format; auto: AVIF or WebP when Accept lists them, else the source format (answers Vary: Accept). Default: the source format' }),
  quality: wholeNumber(1, 100, 'Lossy quality (default IMAGE_QUALITY); ignored by PNG'),
  blur: decimal(0.3, 100, 'Gaussian blur sigma'),
  dpr: decimal(1, 4, 'Device pixel ratio: width and height are multiplied by it'),
  frame: decimal(0, 86_400, 'Videos only: the poster frame at this second (default 1, clamped to the duration)'),
  preset: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'expected a preset name').optional().openapi({ description: 'A RENDER_PRESETS entry (width, height, fit); explicit parameters override it' }),
};

export const RenderQuerySchema = z.object(renderFields).strict().openapi('RenderQuery');

export const CdnRenderQuerySchema = z
  .object({
    ...renderFields,
    expires: z.string().regex(/^\d{1,12}$/, 'expected unix seconds').transform(Number).optional().openapi({ type: 'string', description: 'Private files: the signed URL\'s expiry (unix seconds)' }),
    signature: z.string().max(200).optional().openapi({ description: 'Private files: HMAC of /cdn/render/{file_id} until expires (as in urls.thumbnail)' }),
  })
  .strict()
  .openapi('CdnRenderQuery');
