import { CdnUrls } from '../../src/application/storage/cdn/cdn-urls';
import { DownloadSignature } from '../../src/application/storage/delivery/download-signature';
import { fileCdnPath, thumbnailCdnPath } from '../../src/domain/storage/cdn';
import { FakeClock } from '../support/fake-clock';
import { aFile } from '../support/file-builder';

const BASE = 'https://cdn.example.test';
const TTL = 3_600;

/** The parts of a CDN URL the origin sees: its path and signature parameters. */
function parse(url: string): { path: string; expires: number; signature: string } {
  const u = new URL(url);
  return { path: u.pathname, expires: Number(u.searchParams.get('expires')), signature: u.searchParams.get('signature') ?? '' };
}

describe('CdnUrls', () => {
  let clock: FakeClock;
  let urls: CdnUrls;
  beforeEach(() => {
    // 10:30:00 UTC, half way through a TTL window.
    clock = new FakeClock(new Date('2024-01-15T10:30:00Z'));
    urls = new CdnUrls({ baseUrl: BASE, signedTtlSeconds: TTL }, new DownloadSignature('a-secret-of-sufficient-length-0123456789'), clock);
  });
  const verify = (p: { path: string; expires: number; signature: string }) => () => urls.verify(p.path, p.expires, p.signature);

  it('gives a public file a bare URL, shared by everyone', () => {
    const file = { ...aFile().build(), isPublic: true };
    expect(urls.fileUrl(file)).toBe(`${BASE}${fileCdnPath(file)}`);
    expect(urls.thumbnailUrl(file)).toBe(`${BASE}${thumbnailCdnPath(file.id)}`);
  });

  it('signs a private file’s URLs (file and thumbnail alias) so that they verify', () => {
    const file = aFile().build();
    for (const url of [urls.fileUrl(file), urls.thumbnailUrl(file)]) {
      const p = parse(url);
      expect(url.startsWith(`${BASE}/cdn/`)).toBe(true);
      expect(p.expires * 1000).toBeGreaterThanOrEqual(clock.now().getTime() + TTL * 1000);
      expect(verify(p)).not.toThrow();
    }
    expect(parse(urls.fileUrl(file)).path).toBe(fileCdnPath(file));
  });

  it('refuses a tampered signature, another expiry, another file’s path and an expired URL', () => {
    const file = aFile().build();
    const p = parse(urls.fileUrl(file));
    const invalid = expect.objectContaining({ code: 'INVALID_SIGNATURE' });
    expect(verify({ ...p, signature: `${p.signature.slice(0, -1)}${p.signature.endsWith('A') ? 'B' : 'A'}` })).toThrow(invalid);
    expect(verify({ ...p, expires: p.expires + TTL })).toThrow(invalid);
    expect(verify({ ...p, path: fileCdnPath(aFile().build()) })).toThrow(invalid);
    expect(verify({ ...p, path: thumbnailCdnPath(file.id) })).toThrow(invalid);
    clock.advance(p.expires * 1000 - clock.now().getTime() + 1_000);
    expect(verify(p)).toThrow(expect.objectContaining({ details: { reason: 'expired' } }));
  });

  it('keeps the same URL within a TTL window, so browsers can reuse their copy, and moves on after it', () => {
    const file = aFile().build();
    const first = urls.fileUrl(file);
    // Expiry rounded up to a whole window: 10:30 + 1 h → 12:00, until the clock passes 11:00.
    expect(parse(first).expires).toBe(Date.parse('2024-01-15T12:00:00Z') / 1000);
    clock.advance(30 * 60_000);
    expect(urls.fileUrl(file)).toBe(first);
    clock.advance(1_000);
    const next = urls.fileUrl(file);
    expect(next).not.toBe(first);
    expect(parse(next).expires).toBe(Date.parse('2024-01-15T13:00:00Z') / 1000);
  });
});
