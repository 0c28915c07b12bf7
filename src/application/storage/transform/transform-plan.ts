import { ValidationFailed } from '../../../domain/shared/errors';
import { UnsupportedTransformation } from '../../../domain/storage/errors';
import { kindOf } from '../../../domain/storage/stored-file';
import type { ImageFormat, ImageOperation } from '../../ports/image-transformer.port';
import type { AudioFormat, MediaOperation, VideoFormat } from '../../ports/media-transformer.port';

export const TRANSFORMATION_TYPES = [
  'image_resize', 'video_resize', 'format_conversion', 'compression', 'thumbnail_generation',
  'bitrate_adjustment', 'audio_quality', 'waveform_generation', 'text_extraction', 'ocr',
] as const;
export type TransformationType = (typeof TRANSFORMATION_TYPES)[number];

/** What the worker does, and what comes out (extension and type of the output file). */
export type TransformPlan =
  | { engine: 'image'; operation: ImageOperation; extension: string }
  | { engine: 'media'; operation: MediaOperation; extension: string }
  /** Peaks as JSON, or drawn in a PNG (`width` × `height`). */
  | { engine: 'waveform'; points: number; image: { width: number; height: number } | null; extension: 'json' | 'png' }
  | { engine: 'text'; extension: 'txt' }
  /** The first page drawn `renderWidth` pixels wide, then made into the thumbnail by the image engine. */
  | { engine: 'page'; renderWidth: number; operation: ImageOperation; extension: string };

/** Which engines this instance has: the media, text and page (document renderer) ones are optional bindings. */
export interface Engines {
  media: boolean;
  text: { accepts: readonly string[] } | null;
  pages: { accepts: readonly string[] } | null;
}

/** Pages are drawn at twice the thumbnail's size (a sharper downscale), within what a canvas should hold. */
const MAX_PAGE_RENDER_WIDTH = 2_048;

type Params = Record<string, unknown>;

/**
 * 002's transformation matrix (image_to_image, video_to_video, document_to_text, any_to_thumbnail)
 * plus 003's audio variants and waveforms, checked before anything is queued: a combination that
 * does not apply is UnsupportedTransformation (422); parameters that make no sense are ValidationFailed (400).
 */
export function planTransformation(type: string, mimeType: string, params: Params, engines: Engines): TransformPlan {
  const kind = kindOf(mimeType);
  const unsupported = (why?: string) =>
    new UnsupportedTransformation(why ?? `${type} does not apply to a ${kind} file (${mimeType})`, { transformation_type: type, mime_type: mimeType });
  const needMedia = () => {
    if (!engines.media) throw unsupported(`${type} on ${kind} files needs the media engine (ffmpeg), which this service does not have`);
  };
  const isRaster = kind === 'image' && mimeType !== 'image/svg+xml';

  switch (type) {
    case 'image_resize':
      if (!isRaster) throw unsupported();
      return image(resizeOf(params, true), params);
    case 'video_resize':
      if (kind !== 'video') throw unsupported();
      needMedia();
      return video({ ...resizeOf(params, true), format: videoFormat(params.format ?? 'mp4') }, params);
    case 'format_conversion':
      if (isRaster) return image({ format: imageFormat(params.format) }, params);
      if (kind === 'video') return needMedia(), video({ format: videoFormat(params.format) }, params);
      if (kind === 'audio') return needMedia(), audio(audioFormat(params.format), params);
      throw unsupported();
    case 'compression':
      if (!isRaster) throw unsupported();
      return image({ quality: 75, format: mimeType === 'image/png' ? 'png' : mimeType === 'image/webp' ? 'webp' : 'jpeg' }, params);
    case 'thumbnail_generation':
      if (isRaster) return image(THUMBNAIL, params);
      if (kind === 'video') {
        needMedia();
        const width = optionalInt(params.width, 'width', 1, 4096) ?? 200;
        return { engine: 'media', operation: { kind: 'frame', atSeconds: optionalNumber(params.at_seconds, 'at_seconds', 0) ?? 1, width }, extension: 'png' };
      }
      if (kind === 'document') return firstPage();
      throw unsupported();
    case 'bitrate_adjustment':
      if (kind === 'video') {
        needMedia();
        const videoBitrateKbps = requiredInt(params.video_bitrate_kbps ?? params.bitrate_kbps, 'video_bitrate_kbps', 50, 100_000);
        return video({ format: videoFormat(params.format ?? 'mp4'), videoBitrateKbps }, params);
      }
      if (kind === 'audio') return needMedia(), audio(audioFormat(params.format ?? 'mp3'), params);
      throw unsupported();
    case 'audio_quality':
      if (kind !== 'audio') throw unsupported();
      needMedia();
      return audio(audioFormat(params.format ?? 'mp3'), params);
    case 'waveform_generation':
      if (kind !== 'audio' && kind !== 'video') throw unsupported();
      needMedia();
      return waveform(params);
    case 'text_extraction':
      if (kind !== 'document') throw unsupported();
      return text();
    case 'ocr':
      if (!isRaster) throw unsupported();
      return text();
    default:
      throw new ValidationFailed(`Unknown transformation_type ${type}`, [{ path: 'transformation_type', message: `one of ${TRANSFORMATION_TYPES.join(', ')}` }]);
  }

  function firstPage(): TransformPlan {
    if (!engines.pages || !engines.pages.accepts.includes(mimeType)) throw unsupported(`${type} of ${mimeType} (first page) needs a document renderer for that type, which this service does not have`);
    return firstPageThumbnail(params);
  }

  function text(): TransformPlan {
    if (!engines.text || !engines.text.accepts.includes(mimeType)) throw unsupported(`${type} of ${mimeType} needs a text extractor for that type, which this service does not have`);
    return { engine: 'text', extension: 'txt' };
  }
}

function waveform(params: Params): TransformPlan {
  const points = optionalInt(params.points, 'points', 10, 100_000) ?? 1_000;
  const output = params.output ?? 'json';
  if (output !== 'json' && output !== 'png') throw invalid('output', 'json or png');
  if (output === 'json') return { engine: 'waveform', points, image: null, extension: 'json' };
  const image = { width: optionalInt(params.width, 'width', 16, 8_192) ?? 1_000, height: optionalInt(params.height, 'height', 16, 2_048) ?? 200 };
  return { engine: 'waveform', points, image, extension: 'png' };
}

const THUMBNAIL: ImageOperation = { width: 200, height: 200, fit: 'inside', format: 'jpeg', quality: 80 };

function image(base: ImageOperation, params: Params): TransformPlan {
  const operation = imageOperation(base, params);
  return { engine: 'image', operation, extension: imageExtension(operation) };
}

/** The page's thumbnail is an image thumbnail of the drawn page: same defaults, same parameters. */
function firstPageThumbnail(params: Params): TransformPlan {
  const operation = imageOperation(THUMBNAIL, params);
  const renderWidth = Math.min(MAX_PAGE_RENDER_WIDTH, 2 * Math.max(operation.width ?? 0, operation.height ?? 0));
  return { engine: 'page', renderWidth, operation, extension: imageExtension(operation) };
}

function imageOperation(base: ImageOperation, params: Params): ImageOperation {
  const operation: ImageOperation = { ...base };
  const format = params.format === undefined ? base.format : imageFormat(params.format);
  if (format) operation.format = format;
  const quality = optionalInt(params.quality, 'quality', 1, 100);
  if (quality !== undefined) operation.quality = quality;
  if (params.width !== undefined || params.height !== undefined) Object.assign(operation, resizeOf(params, false));
  return operation;
}

function imageExtension(operation: ImageOperation): string {
  return operation.format === 'jpeg' ? 'jpg' : (operation.format ?? 'png');
}

function video(operation: Extract<MediaOperation, { kind: 'video' }> extends infer V ? Omit<V, 'kind'> : never, params: Params): TransformPlan {
  const { width, height } = resizeOf(params, false);
  return { engine: 'media', operation: { kind: 'video', ...operation, ...(width ? { width } : {}), ...(height ? { height } : {}) }, extension: operation.format };
}

function audio(format: AudioFormat, params: Params): TransformPlan {
  const bitrateKbps = optionalInt(params.bitrate_kbps, 'bitrate_kbps', 32, 512) ?? (format === 'mp3' ? 128 : 192);
  return { engine: 'media', operation: { kind: 'audio', format, bitrateKbps }, extension: format === 'aac' ? 'm4a' : format };
}

function resizeOf(params: Params, required: boolean): Pick<ImageOperation, 'width' | 'height' | 'fit' | 'maintainAspectRatio'> {
  const width = optionalInt(params.width, 'width', 1, 16_384);
  const height = optionalInt(params.height, 'height', 1, 16_384);
  if (required && width === undefined && height === undefined) throw new ValidationFailed('A resize needs width, height or both', [{ path: 'parameters.width', message: 'width, height or both are required' }]);
  const result: Pick<ImageOperation, 'width' | 'height' | 'fit' | 'maintainAspectRatio'> = {};
  if (width !== undefined) result.width = width;
  if (height !== undefined) result.height = height;
  if (params.maintain_aspect_ratio !== undefined) {
    if (typeof params.maintain_aspect_ratio !== 'boolean') throw invalid('maintain_aspect_ratio', 'a boolean');
    result.maintainAspectRatio = params.maintain_aspect_ratio;
  }
  if (params.fit !== undefined) {
    if (!['contain', 'cover', 'fill', 'inside', 'outside'].includes(params.fit as string)) throw invalid('fit', 'contain, cover, fill, inside or outside');
    result.fit = params.fit as ImageOperation['fit'];
  }
  return result;
}

function imageFormat(value: unknown): ImageFormat {
  const format = value === 'jpg' ? 'jpeg' : value;
  if (format === 'jpeg' || format === 'png' || format === 'webp' || format === 'gif') return format;
  throw invalid('format', 'jpeg, png, webp or gif');
}

function videoFormat(value: unknown): VideoFormat {
  if (value === 'mp4' || value === 'webm' || value === 'mov' || value === 'gif') return value;
  throw invalid('format', 'mp4, webm, mov or gif');
}

function audioFormat(value: unknown): AudioFormat {
  if (value === 'mp3' || value === 'aac' || value === 'ogg') return value;
  throw invalid('format', 'mp3, aac or ogg');
}

function optionalInt(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw invalid(name, `an integer from ${min} to ${max}`);
  return value;
}

function requiredInt(value: unknown, name: string, min: number, max: number): number {
  const result = optionalInt(value, name, min, max);
  if (result === undefined) throw invalid(name, `an integer from ${min} to ${max}`);
  return result;
}

function optionalNumber(value: unknown, name: string, min: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) throw invalid(name, `a number of at least ${min}`);
  return value;
}

function invalid(name: string, expected: string): ValidationFailed {
  return new ValidationFailed(`parameters.${name} must be ${expected}`, [{ path: `parameters.${name}`, message: `must be ${expected}` }]);
}
