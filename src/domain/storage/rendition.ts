import { createHash } from 'node:crypto';
import { ValidationFailed } from '../shared/errors';

/** What GET /render and /cdn/render accept (issue 15): the render URL grammar. */

export const RENDER_FITS = ['cover', 'contain', 'fill', 'inside', 'outside'] as const;
export type RenderFit = (typeof RENDER_FITS)[number];

/** sharp's gravities, written with dashes in URLs, plus its two smart crops (attention, entropy). */
export const RENDER_POSITIONS = [
  'center', 'centre', 'top', 'right', 'bottom', 'left', 'top-left', 'top-right', 'bottom-left', 'bottom-right', 'attention', 'entropy',
] as const;
export type RenderPosition = (typeof RENDER_POSITIONS)[number];

export const RENDER_FORMATS = ['jpeg', 'jpg', 'png', 'webp', 'avif', 'auto'] as const;
export type RequestedRenderFormat = (typeof RENDER_FORMATS)[number];
/** What a rendition is written as. */
export type RenditionFormat = 'jpeg' | 'png' | 'webp' | 'avif';

/** The query as the HTTP edge parsed it (types and static ranges already checked). */
export interface RenderRequest {
  width?: number;
  height?: number;
  fit?: RenderFit;
  position?: RenderPosition;
  format?: RequestedRenderFormat;
  quality?: number;
  blur?: number;
  dpr?: number;
  /** Seconds into a video for its poster frame. */
  frame?: number;
  preset?: string;
}

export interface RenderPreset {
  width: number | null;
  height: number | null;
  fit: RenderFit;
}

export interface RenderLimits {
  /** Largest output width or height (after dpr). */
  maxDimension: number;
  /** Quality when none is asked (IMAGE_QUALITY). */
  defaultQuality: number;
  presets: ReadonlyMap<string, RenderPreset>;
  /** false: presets only (RENDER_ALLOW_ARBITRARY=false). */
  allowArbitrary: boolean;
}

/**
 * A rendition as produced: every default applied, dpr folded into the size, irrelevant parameters
 * dropped, so that two URLs asking for the same pixels share one rendition. `format` is still what
 * was asked (auto is resolved per request, from the Accept header and the source).
 */
export interface RenditionSpec {
  width: number | null;
  height: number | null;
  fit: RenderFit;
  position: Exclude<RenderPosition, 'centre'>;
  quality: number;
  blur: number | null;
  frame: number | null;
  format: Exclude<RequestedRenderFormat, 'jpg'> | 'source';
}

const ARBITRARY: ReadonlyArray<keyof RenderRequest> = ['width', 'height', 'fit', 'position', 'quality', 'blur', 'dpr'];

function invalid(name: string, message: string): ValidationFailed {
  return new ValidationFailed(`query.${name} ${message}`, [{ path: `query.${name}`, message }]);
}

/** Applies the preset, the limits and the defaults; refuses (400, naming the parameter) what the limits forbid. */
export function normalizeRendition(request: RenderRequest, limits: RenderLimits): RenditionSpec {
  let preset: RenderPreset | undefined;
  if (request.preset !== undefined) {
    preset = limits.presets.get(request.preset);
    if (!preset) throw invalid('preset', `must be one of ${[...limits.presets.keys()].join(', ') || '(no presets configured)'}`);
  }
  if (!limits.allowArbitrary) {
    const arbitrary = ARBITRARY.find((name) => request[name] !== undefined);
    if (arbitrary) throw invalid(arbitrary, 'is not allowed: only preset (with format and frame) is accepted here (RENDER_ALLOW_ARBITRARY=false)');
    if (!preset) throw invalid('preset', `is required (RENDER_ALLOW_ARBITRARY=false): one of ${[...limits.presets.keys()].join(', ')}`);
  }
  const dpr = request.dpr ?? 1;
  const scaled = (name: 'width' | 'height', value: number | null | undefined): number | null => {
    if (value === undefined || value === null) return null;
    const pixels = Math.round(value * dpr);
    if (pixels > limits.maxDimension) throw invalid(name, `times dpr must be at most ${limits.maxDimension} (RENDER_MAX_DIMENSION), got ${pixels}`);
    return Math.max(1, pixels);
  };
  const width = scaled('width', request.width ?? preset?.width);
  const height = scaled('height', request.height ?? preset?.height);
  const resized = width !== null || height !== null;
  // With one side, every fit scales alike: one rendition for all of them (inside: never enlarged).
  const fit = width !== null && height !== null ? (request.fit ?? preset?.fit ?? 'cover') : 'inside';
  // A position only moves the crop of cover and the bars of contain.
  const positioned = resized && width !== null && height !== null && (fit === 'cover' || fit === 'contain');
  const position = positioned ? (request.position === 'centre' ? 'center' : (request.position ?? 'center')) : 'center';
  if (!positioned && (request.position === 'attention' || request.position === 'entropy')) {
    throw invalid('position', 'attention and entropy need width, height and fit=cover');
  }
  if ((position === 'attention' || position === 'entropy') && fit !== 'cover') throw invalid('position', 'attention and entropy need fit=cover');
  const format = request.format === undefined ? 'source' : request.format === 'jpg' ? 'jpeg' : request.format;
  return {
    width,
    height,
    fit,
    position,
    quality: request.quality ?? limits.defaultQuality,
    blur: request.blur ?? null,
    frame: request.frame ?? null,
    format,
  };
}

/**
 * format=auto: AVIF when the client says it takes it, else WebP when it does, else the source's own
 * format. Only an explicit `image/avif` / `image/webp` counts: `*\/*` (curl) and `image/*` get the
 * source format, so an old client is never sent what it cannot show. q=0 refuses a type.
 */
export function negotiateFormat(accept: string | undefined, sourceFormat: RenditionFormat): RenditionFormat {
  const accepted = new Set<string>();
  for (const part of (accept ?? '').split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) continue;
    if (type) accepted.add(type.trim());
  }
  if (accepted.has('image/avif')) return 'avif';
  if (accepted.has('image/webp')) return 'webp';
  return sourceFormat;
}

/** The format a source is written as when none is asked: its own when it is one we write, else PNG (lossless). */
export function sourceRenditionFormat(mimeType: string): RenditionFormat {
  if (mimeType === 'image/jpeg') return 'jpeg';
  if (mimeType === 'image/webp') return 'webp';
  if (mimeType === 'image/avif') return 'avif';
  return 'png';
}

/** Everything that decides the pixels, in a fixed order; parameters that cannot matter are left out. */
export function canonicalParameters(spec: RenditionSpec, format: RenditionFormat): string {
  const parts: string[] = [];
  if (spec.frame !== null) parts.push(`frame=${spec.frame}`);
  if (spec.width !== null) parts.push(`w=${spec.width}`);
  if (spec.height !== null) parts.push(`h=${spec.height}`);
  if (spec.width !== null || spec.height !== null) parts.push(`fit=${spec.fit}`);
  if (spec.position !== 'center') parts.push(`pos=${spec.position}`);
  if (spec.blur !== null) parts.push(`blur=${spec.blur}`);
  // PNG is written losslessly: quality does not change it.
  if (format !== 'png') parts.push(`q=${spec.quality}`);
  parts.push(`f=${format}`);
  return parts.join('&');
}

/**
 * The rendition's identity: the source's content and the canonical parameters. A file whose content
 * changes gets new keys, so an old rendition can never be served for it; it is also the strong ETag.
 */
export function renditionKey(sourceSha256: string, spec: RenditionSpec, format: RenditionFormat): string {
  return createHash('sha256').update(`rendition-v1\n${sourceSha256}\n${canonicalParameters(spec, format)}`).digest('hex');
}

export function renditionMimeType(format: RenditionFormat): string {
  return `image/${format}`;
}

/** /cdn/render/{id}: the origin path of every rendition of a file (one purge covers all their query strings). */
export function renditionCdnPath(fileId: string): string {
  return `/cdn/render/${fileId}`;
}

/** `thumb:200x200,cover:1200x630:cover,wide:800x` (a missing side keeps the proportion; fit defaults to cover). */
export function parsePresets(text: string): { presets: Map<string, RenderPreset>; problems: string[] } {
  const presets = new Map<string, RenderPreset>();
  const problems: string[] = [];
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const match = /^([a-z0-9_-]{1,32}):(\d{0,5})x(\d{0,5})(?::([a-z]+))?$/i.exec(item);
    const fit = (match?.[4] ?? 'cover') as RenderFit;
    if (!match || (!match[2] && !match[3]) || !RENDER_FITS.includes(fit)) {
      problems.push(`"${item}" is not name:WIDTHxHEIGHT[:fit]`);
      continue;
    }
    const side = (s: string | undefined) => (s ? Number(s) : null);
    const width = side(match[2]);
    const height = side(match[3]);
    if (width === 0 || height === 0) {
      problems.push(`"${item}": sides are at least 1`);
      continue;
    }
    presets.set(match[1]!, { width, height, fit });
  }
  return { presets, problems };
}
