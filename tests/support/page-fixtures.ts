import { randomBytes } from 'node:crypto';
import { PDFDocument, rgb } from 'pdf-lib';

/** PDFs with known shapes on their pages, for the document renderers. Sizes are in points; each PDF is unique (no dedup). */

export interface PageSpec {
  width: number;
  height: number;
  /** Black rectangle covering the top half of the page; without it the page stays white. */
  blackTopHalf?: boolean;
}

export async function aPdfOfPages(...pages: PageSpec[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.setSubject(randomBytes(8).toString('hex'));
  for (const spec of pages) {
    const page = doc.addPage([spec.width, spec.height]);
    // PDF space starts at the bottom left: the top half starts at height / 2.
    if (spec.blackTopHalf) page.drawRectangle({ x: 0, y: spec.height / 2, width: spec.width, height: spec.height / 2, color: rgb(0, 0, 0) });
  }
  return Buffer.from(await doc.save());
}

/** One page, black above and white below. */
export function aPdfWithABlackTopHalf(width = 400, height = 600): Promise<Buffer> {
  return aPdfOfPages({ width, height, blackTopHalf: true });
}
