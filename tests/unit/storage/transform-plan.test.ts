import { planTransformation, type Engines } from '../../../src/application/storage/transform/transform-plan';
import { ValidationFailed } from '../../../src/domain/shared/errors';
import { UnsupportedTransformation } from '../../../src/domain/storage/errors';

const none: Engines = { media: false, text: null, pages: null };
const all: Engines = { media: true, text: { accepts: ['application/pdf', 'image/png'] }, pages: { accepts: ['application/pdf'] } };

describe('planTransformation (002 transformation matrix)', () => {
  it('plans image work for raster images', () => {
    expect(planTransformation('image_resize', 'image/png', { width: 800, height: 600, maintain_aspect_ratio: true, format: 'jpeg', quality: 85 }, none)).toEqual({
      engine: 'image',
      operation: { width: 800, height: 600, maintainAspectRatio: true, format: 'jpeg', quality: 85 },
      extension: 'jpg',
    });
    expect(planTransformation('thumbnail_generation', 'image/jpeg', {}, none)).toMatchObject({ engine: 'image', operation: { width: 200, height: 200, fit: 'inside' } });
    expect(planTransformation('compression', 'image/png', {}, none)).toMatchObject({ operation: { quality: 75, format: 'png' } });
    expect(planTransformation('format_conversion', 'image/png', { format: 'webp' }, none)).toMatchObject({ operation: { format: 'webp' }, extension: 'webp' });
  });

  it('refuses combinations outside the matrix with UnsupportedTransformation', () => {
    expect(() => planTransformation('image_resize', 'application/pdf', { width: 10 }, all)).toThrow(UnsupportedTransformation);
    expect(() => planTransformation('compression', 'video/mp4', {}, all)).toThrow(UnsupportedTransformation);
    expect(() => planTransformation('text_extraction', 'image/png', {}, all)).toThrow(UnsupportedTransformation);
    expect(() => planTransformation('image_resize', 'image/svg+xml', { width: 10 }, all)).toThrow(UnsupportedTransformation);
  });

  it('refuses media and text types when their engine is not bound', () => {
    expect(() => planTransformation('video_resize', 'video/mp4', { width: 320 }, none)).toThrow(UnsupportedTransformation);
    expect(() => planTransformation('ocr', 'image/png', {}, none)).toThrow(UnsupportedTransformation);
    expect(planTransformation('video_resize', 'video/mp4', { width: 320 }, all)).toEqual({ engine: 'media', operation: { kind: 'video', format: 'mp4', width: 320 }, extension: 'mp4' });
    expect(planTransformation('audio_quality', 'audio/wav', { format: 'mp3', bitrate_kbps: 320 }, all)).toMatchObject({ operation: { kind: 'audio', format: 'mp3', bitrateKbps: 320 } });
    expect(planTransformation('thumbnail_generation', 'video/mp4', {}, all)).toMatchObject({ operation: { kind: 'frame', atSeconds: 1, width: 200 }, extension: 'png' });
    expect(planTransformation('ocr', 'image/png', {}, all)).toEqual({ engine: 'text', extension: 'txt' });
  });

  it('plans the thumbnail of a PDF as its first page drawn, then made a 200×200 JPEG like an image thumbnail', () => {
    expect(planTransformation('thumbnail_generation', 'application/pdf', {}, all)).toEqual({
      engine: 'page',
      renderWidth: 400,
      operation: { width: 200, height: 200, fit: 'inside', format: 'jpeg', quality: 80 },
      extension: 'jpg',
    });
    expect(planTransformation('thumbnail_generation', 'application/pdf', { width: 320, format: 'png' }, all)).toMatchObject({
      renderWidth: 640,
      operation: { width: 320, height: 200, format: 'png' },
      extension: 'png',
    });
    expect(planTransformation('thumbnail_generation', 'application/pdf', { width: 5_000 }, all)).toMatchObject({ renderWidth: 2_048, operation: { width: 5_000 } });
    expect(() => planTransformation('thumbnail_generation', 'application/pdf', { width: 0 }, all)).toThrow(ValidationFailed);
  });

  it('refuses the thumbnail of a document without a renderer for its type', () => {
    expect(() => planTransformation('thumbnail_generation', 'application/pdf', {}, none)).toThrow(UnsupportedTransformation);
    expect(() => planTransformation('thumbnail_generation', 'application/pdf', {}, { ...all, pages: null })).toThrow(/needs a document renderer/);
    const docx = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    expect(() => planTransformation('thumbnail_generation', docx, {}, all)).toThrow(UnsupportedTransformation);
  });

  it('refuses bad parameters and unknown types with ValidationFailed', () => {
    expect(() => planTransformation('image_resize', 'image/png', {}, none)).toThrow(ValidationFailed);
    expect(() => planTransformation('image_resize', 'image/png', { width: 0 }, none)).toThrow(ValidationFailed);
    expect(() => planTransformation('image_resize', 'image/png', { width: 10, fit: 'squash' }, none)).toThrow(ValidationFailed);
    expect(() => planTransformation('format_conversion', 'image/png', { format: 'bmp' }, none)).toThrow(ValidationFailed);
    expect(() => planTransformation('bitrate_adjustment', 'video/mp4', {}, all)).toThrow(ValidationFailed);
    expect(() => planTransformation('teleport', 'image/png', {}, all)).toThrow(ValidationFailed);
  });
});
