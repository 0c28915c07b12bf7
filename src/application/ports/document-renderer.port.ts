/**
 * Draws the first page of a document as a picture (thumbnails of PDFs). Fully offline; a corrupt or
 * mislabelled input fails with a domain error (TransformationFailed) naming what went wrong, and an
 * aborted signal rejects with its reason.
 */
export interface DocumentRenderer {
  readonly name: string;
  /** MIME types this renderer draws. */
  readonly accepts: readonly string[];
  /** A PNG `width` pixels wide, as tall as the page's proportions make it. */
  renderFirstPage(input: Buffer, options: { width: number }, signal?: AbortSignal): Promise<Buffer>;
}
