import sharp from 'sharp';
import { UnpdfDocumentRenderer } from '../../src/adapters/pdf/unpdf-document-renderer';
import { TransformationFailed } from '../../src/domain/storage/errors';
import { documentRendererContract } from '../contract/document-renderer.contract';
import { aPdfOfPages } from '../support/page-fixtures';
import { aPdfSaying } from '../support/text-fixtures';

documentRendererContract('UnpdfDocumentRenderer (PDF.js on @napi-rs/canvas, worker thread)', () => ({
  renderer: new UnpdfDocumentRenderer(),
  close: async () => undefined,
}));

describe('UnpdfDocumentRenderer limits', () => {
  const renderer = new UnpdfDocumentRenderer();

  it('draws text set in a standard (not embedded) font', async () => {
    // On Node 20 this needs the worker's transferToFixedLength stand-in: without it PDF.js draws no text.
    const png = await renderer.renderFirstPage(await aPdfSaying('Thumbnails show the words on the page.'), { width: 500 });
    const grey = await sharp(png).flatten({ background: '#ffffff' }).greyscale().raw().toBuffer();
    expect(grey.filter((value) => value < 128).length).toBeGreaterThan(200);
  });

  it('refuses a page whose picture would be too tall before drawing it', async () => {
    const failure = renderer.renderFirstPage(await aPdfOfPages({ width: 10, height: 14_000 }), { width: 200 });
    await expect(failure).rejects.toBeInstanceOf(TransformationFailed);
    await expect(failure).rejects.toThrow(/px high/);
  });

  it('refuses a width outside 1..4096', async () => {
    const pdf = await aPdfOfPages({ width: 100, height: 100 });
    await expect(renderer.renderFirstPage(pdf, { width: 0 })).rejects.toBeInstanceOf(RangeError);
    await expect(renderer.renderFirstPage(pdf, { width: 5_000 })).rejects.toBeInstanceOf(RangeError);
  });
});
