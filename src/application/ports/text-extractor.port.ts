/**
 * Text out of documents (PDF, DOCX, TXT, RTF) and, by OCR, out of images; fully offline. A corrupt
 * or mislabelled input fails with a domain error (TransformationFailed) naming what went wrong.
 */
export interface TextExtractor {
  readonly name: string;
  /** MIME types this extractor reads. */
  readonly accepts: readonly string[];
  extract(input: Buffer, mimeType: string, options?: { onProgress?: (percent: number) => void; signal?: AbortSignal }): Promise<{ text: string }>;
}
