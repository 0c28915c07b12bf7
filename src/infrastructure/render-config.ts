import os from 'node:os';
import { z } from 'zod';
import { parsePresets, type RenderPreset } from '../domain/storage/rendition';

/** The renditions part of config.ts (issue 15): limits, presets and the rendition cache's size. */

const whole = (min: number, max: number) =>
  z.coerce.number({ message: `expected a whole number from ${min} to ${max}` }).int(`expected a whole number from ${min} to ${max}`).min(min, `expected at least ${min}`).max(max, `expected at most ${max}`);

export const renderEnv = {
  IMAGE_QUALITY: whole(1, 100).default(80),
  RENDER_MAX_DIMENSION: whole(16, 16_384).default(4_096),
  RENDER_MAX_PIXELS: whole(1, 1_000_000_000).default(100_000_000),
  RENDER_NEW_PER_MINUTE: whole(0, 1_000_000).default(120),
  /** Default: the core count, at least 2 (a drawing is mostly one core's work: decode, resize, encode). */
  RENDER_CONCURRENCY: whole(1, 64).optional(),
  RENDER_CACHE_MAX_BYTES: z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, 'expected a size such as 512mb or 2gb')
    .transform((v) => {
      const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(v)!;
      return Math.floor(Number(m[1]) * ({ b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 } as Record<string, number>)[(m[2] ?? 'b').toLowerCase()]!);
    })
    .default(1024 ** 3),
  RENDER_PRESETS: z.string().trim().default('thumbnail:200x200:cover,preview:1200x1200:inside'),
  RENDER_ALLOW_ARBITRARY: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .default(true),
};

const renderSchema = z.object(renderEnv);
type RenderEnv = z.output<typeof renderSchema>;

export interface RenderConfig {
  /** Default quality of lossy renditions (IMAGE_QUALITY, 002). */
  imageQuality: number;
  maxDimension: number;
  /** Sources with more pixels are refused (422) before they are decoded. */
  maxInputPixels: number;
  /** New renditions per caller per minute (cached ones never count); 0: unlimited. */
  newPerMinute: number;
  /** Renditions this process draws at once. */
  concurrency: number;
  /** The rendition cache's bound: past it, least recently used renditions are evicted. */
  cacheMaxBytes: number;
  presets: ReadonlyMap<string, RenderPreset>;
  allowArbitrary: boolean;
}

export function renderConfig(e: RenderEnv, problems: string[]): RenderConfig {
  const { presets, problems: presetProblems } = parsePresets(e.RENDER_PRESETS);
  for (const p of presetProblems) problems.push(`RENDER_PRESETS: ${p}`);
  for (const [name, preset] of presets) {
    if ((preset.width ?? 0) > e.RENDER_MAX_DIMENSION || (preset.height ?? 0) > e.RENDER_MAX_DIMENSION) {
      problems.push(`RENDER_PRESETS: ${name} is larger than RENDER_MAX_DIMENSION (${e.RENDER_MAX_DIMENSION})`);
    }
  }
  if (!e.RENDER_ALLOW_ARBITRARY && presets.size === 0) problems.push('RENDER_ALLOW_ARBITRARY=false needs at least one RENDER_PRESETS entry');
  return {
    imageQuality: e.IMAGE_QUALITY,
    maxDimension: e.RENDER_MAX_DIMENSION,
    maxInputPixels: e.RENDER_MAX_PIXELS,
    newPerMinute: e.RENDER_NEW_PER_MINUTE,
    concurrency: e.RENDER_CONCURRENCY ?? Math.min(64, Math.max(2, os.availableParallelism())),
    cacheMaxBytes: e.RENDER_CACHE_MAX_BYTES,
    presets,
    allowArbitrary: e.RENDER_ALLOW_ARBITRARY,
  };
}
