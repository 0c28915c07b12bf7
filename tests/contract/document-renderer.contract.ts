import sharp from 'sharp';
import type { DocumentRenderer } from '../../src/application/ports/document-renderer.port';
import { TransformationFailed } from '../../src/domain/storage/errors';
import { aPdfOfPages, aPdfWithABlackTopHalf } from '../support/page-fixtures';
import { corrupted } from '../support/text-fixtures';

export interface DocumentRendererUnderTest {
  renderer: DocumentRenderer;
  close(): Promise<void>;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The picture's size and the grey level (0 black .. 255 white, over white where transparent) at fractions of it. */
async function pictureOf(png: Buffer) {
  const { data, info } = await sharp(png).flatten({ background: '#ffffff' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  const greyAt = (fx: number, fy: number) => data[Math.floor(fy * (info.height - 1)) * info.width * info.channels + Math.floor(fx * (info.width - 1)) * info.channels]!;
  return { width: info.width, height: info.height, greyAt };
}

/** What every DocumentRenderer promises: page 1 as a PNG of the asked width, corrupt input refused, abort obeyed. */
export function documentRendererContract(name: string, make: () => Promise<DocumentRendererUnderTest> | DocumentRendererUnderTest, timeoutMs = 30_000): void {
  describe(`${name} (DocumentRenderer contract)`, () => {
    let s: DocumentRendererUnderTest;
    beforeAll(async () => {
      s = await make();
    }, timeoutMs);
    afterAll(() => s.close(), timeoutMs);

    it('accepts PDF', () => {
      expect(s.renderer.accepts).toContain('application/pdf');
    });

    it('draws the page as a PNG of the asked width, in the page proportions, showing what is on it', async () => {
      const png = await s.renderer.renderFirstPage(await aPdfWithABlackTopHalf(400, 600), { width: 200 });
      expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
      const picture = await pictureOf(png);
      expect({ width: picture.width, height: picture.height }).toEqual({ width: 200, height: 300 });
      for (const [fx, fy] of [[0.5, 0.1], [0.1, 0.4], [0.9, 0.25]] as const) expect(picture.greyAt(fx, fy)).toBeLessThan(40);
      for (const [fx, fy] of [[0.5, 0.9], [0.1, 0.6], [0.9, 0.75]] as const) expect(picture.greyAt(fx, fy)).toBeGreaterThan(215);
    }, timeoutMs);

    it('draws page 1 of a document of several pages', async () => {
      // Only page 1 is portrait and black on top: the size and the pixels tell which page came out.
      const pdf = await aPdfOfPages({ width: 300, height: 600, blackTopHalf: true }, { width: 800, height: 200 }, { width: 500, height: 500 });
      const picture = await pictureOf(await s.renderer.renderFirstPage(pdf, { width: 150 }));
      expect({ width: picture.width, height: picture.height }).toEqual({ width: 150, height: 300 });
      expect(picture.greyAt(0.5, 0.2)).toBeLessThan(40);
      expect(picture.greyAt(0.5, 0.8)).toBeGreaterThan(215);
    }, timeoutMs);

    it('refuses corrupt bytes with TransformationFailed', async () => {
      const real = await aPdfWithABlackTopHalf();
      for (const bytes of [corrupted(real, 9), Buffer.from('not a PDF at all'), Buffer.alloc(0)]) {
        const failure = s.renderer.renderFirstPage(bytes, { width: 100 });
        await expect(failure).rejects.toBeInstanceOf(TransformationFailed);
        await expect(failure).rejects.toThrow(/PDF/);
      }
    }, timeoutMs);

    it('rejects with the abort reason, before starting or while drawing, and still works afterwards', async () => {
      const pdf = await aPdfWithABlackTopHalf();
      const before = new AbortController();
      before.abort(new Error('cancelled by the test'));
      await expect(s.renderer.renderFirstPage(pdf, { width: 100 }, before.signal)).rejects.toThrow('cancelled by the test');

      const during = new AbortController();
      const rendering = s.renderer.renderFirstPage(pdf, { width: 4_000 }, during.signal);
      setTimeout(() => during.abort(new Error('cancelled while drawing')), 5);
      const started = Date.now();
      await expect(rendering).rejects.toThrow('cancelled while drawing');
      expect(Date.now() - started).toBeLessThan(1_000);

      expect((await pictureOf(await s.renderer.renderFirstPage(pdf, { width: 40 }))).width).toBe(40);
    }, timeoutMs);
  });
}
