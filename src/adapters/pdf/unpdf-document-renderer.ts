import type { DocumentRenderer } from '../../application/ports/document-renderer.port';
import { runPdfWorker } from './run-pdf-worker';

/**
 * The bundled PDF.js (6.1) calls ArrayBuffer.prototype.transferToFixedLength (Node 21+) when it
 * loads fonts; on Node 20 that throws inside PDF.js, which then silently draws no text at all. The
 * worker's own global gets a copying stand-in. The page's height is checked before anything is
 * drawn: the canvas lives outside the worker's heap limit, so a pathological page (1 × 10,000 pt)
 * is refused rather than allocated.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
if (typeof ArrayBuffer.prototype.transferToFixedLength !== 'function') {
  Object.defineProperty(ArrayBuffer.prototype, 'transferToFixedLength', {
    configurable: true,
    writable: true,
    value: function (length = this.byteLength) {
      const copy = new ArrayBuffer(length);
      new Uint8Array(copy).set(new Uint8Array(this, 0, Math.min(length, this.byteLength)));
      return copy;
    },
  });
}
const { createIsomorphicCanvasFactory, getDocumentProxy, renderPageAsImage } = require(workerData.entry);
const canvasImport = async () => require(workerData.canvas);
(async () => {
  const CanvasFactory = await createIsomorphicCanvasFactory(canvasImport);
  const pdf = await getDocumentProxy(workerData.bytes, { isEvalSupported: false, verbosity: 0, CanvasFactory });
  const page = await pdf.getPage(1);
  const { width, height } = page.getViewport({ scale: 1 });
  const pixelsHigh = Math.ceil((workerData.width * height) / width);
  if (!(pixelsHigh >= 1 && pixelsHigh <= workerData.maxHeight)) {
    throw new Error('page 1 (' + Math.round(width) + ' x ' + Math.round(height) + ' pt) would be ' + pixelsHigh + ' px high at ' + workerData.width + ' px wide; the limit is ' + workerData.maxHeight);
  }
  const png = new Uint8Array(await renderPageAsImage(pdf, 1, { canvasImport, width: workerData.width }));
  parentPort.postMessage({ png }, [png.buffer]);
})().catch((error) => parentPort.postMessage({ error: String((error && error.message) || error) }));
`;

export const MAX_RENDER_WIDTH = 4_096;
const MAX_RENDER_HEIGHT = 16_384;

/**
 * PDF pages drawn by PDF.js (through unpdf's renderPageAsImage) on @napi-rs/canvas (Skia, prebuilt
 * binaries in npm packages, no install script), in a worker thread like the PDF text reader. Text in
 * fonts the PDF does not embed (the standard 14) is drawn with a system font, so some font must be
 * installed (Debian has DejaVu).
 */
export class UnpdfDocumentRenderer implements DocumentRenderer {
  readonly name = 'unpdf';
  readonly accepts = ['application/pdf'] as const;

  async renderFirstPage(input: Buffer, options: { width: number }, signal?: AbortSignal): Promise<Buffer> {
    const { width } = options;
    if (!Number.isInteger(width) || width < 1 || width > MAX_RENDER_WIDTH) throw new RangeError(`width must be an integer from 1 to ${MAX_RENDER_WIDTH}`);
    const { png } = await runPdfWorker<{ png: Uint8Array }>(
      WORKER_SOURCE,
      input,
      { entry: require.resolve('unpdf'), canvas: require.resolve('@napi-rs/canvas'), width, maxHeight: MAX_RENDER_HEIGHT },
      'PDF could not be rendered',
      signal,
    );
    return Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  }
}
