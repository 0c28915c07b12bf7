import { ValidationFailed } from '../../src/domain/shared/errors';
import {
  canonicalParameters, negotiateFormat, normalizeRendition, parsePresets, renditionKey, type RenderLimits,
} from '../../src/domain/storage/rendition';

const limits = (over: Partial<RenderLimits> = {}): RenderLimits => ({
  maxDimension: 1000, defaultQuality: 80, presets: parsePresets('thumb:200x200,wide:800x:inside').presets, allowArbitrary: true, ...over,
});
const sha = 'a'.repeat(64);

describe('the render URL grammar (domain)', () => {
  it('normalizes equivalent requests to one key: dpr folded in, jpg = jpeg, centre = center, irrelevant parameters dropped', () => {
    const a = normalizeRendition({ width: 200, dpr: 2, format: 'jpg' }, limits());
    const b = normalizeRendition({ width: 400, format: 'jpeg', position: 'centre' }, limits());
    expect(renditionKey(sha, a, 'jpeg')).toBe(renditionKey(sha, b, 'jpeg'));
    expect(canonicalParameters(a, 'jpeg')).toBe('w=400&fit=inside&q=80&f=jpeg');
    // PNG ignores quality; another source never shares a key.
    expect(renditionKey(sha, normalizeRendition({ width: 10, quality: 20 }, limits()), 'png')).toBe(renditionKey(sha, normalizeRendition({ width: 10 }, limits()), 'png'));
    expect(renditionKey('b'.repeat(64), a, 'jpeg')).not.toBe(renditionKey(sha, a, 'jpeg'));
  });

  it('applies presets (explicit parameters win) and the presets-only mode', () => {
    expect(normalizeRendition({ preset: 'thumb' }, limits())).toMatchObject({ width: 200, height: 200, fit: 'cover' });
    expect(normalizeRendition({ preset: 'wide', width: 300 }, limits())).toMatchObject({ width: 300, height: null, fit: 'inside' });
    const only = limits({ allowArbitrary: false });
    expect(normalizeRendition({ preset: 'thumb', format: 'webp' }, only)).toMatchObject({ width: 200, format: 'webp' });
    expect(() => normalizeRendition({ preset: 'thumb', quality: 5 }, only)).toThrow(ValidationFailed);
    expect(() => normalizeRendition({}, only)).toThrow(/preset/);
    expect(() => normalizeRendition({ preset: 'nope' }, limits())).toThrow(/query.preset/);
  });

  it('refuses sizes over RENDER_MAX_DIMENSION after dpr, and smart crops without cover', () => {
    expect(() => normalizeRendition({ width: 600, dpr: 2 }, limits())).toThrow(/query.width/);
    expect(() => normalizeRendition({ width: 10, height: 10, fit: 'contain', position: 'attention' }, limits())).toThrow(/query.position/);
    expect(normalizeRendition({ width: 10, height: 10, position: 'entropy' }, limits()).position).toBe('entropy');
  });

  it('negotiates AVIF for Chrome, WebP for Safari 15, the source for curl and image/*, honouring q=0', () => {
    expect(negotiateFormat('image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8', 'jpeg')).toBe('avif');
    expect(negotiateFormat('image/webp,image/png,image/svg+xml,image/*;q=0.8,video/*;q=0.8,*/*;q=0.5', 'jpeg')).toBe('webp');
    expect(negotiateFormat('*/*', 'png')).toBe('png');
    expect(negotiateFormat(undefined, 'jpeg')).toBe('jpeg');
    expect(negotiateFormat('image/avif;q=0, image/webp', 'jpeg')).toBe('webp');
  });

  it('parses RENDER_PRESETS and reports what it cannot read', () => {
    const { presets, problems } = parsePresets('thumb:200x200, cover:1200x630:cover,tall:x900,bad,zero:0x10,odd:10x10:squash');
    expect([...presets.keys()]).toEqual(['thumb', 'cover', 'tall']);
    expect(presets.get('tall')).toEqual({ width: null, height: 900, fit: 'cover' });
    expect(problems).toHaveLength(3);
  });
});
