import mammoth from 'mammoth';
import type { TextExtractor } from '../../application/ports/text-extractor.port';
import { TransformationFailed, UnsupportedTransformation } from '../../domain/storage/errors';
import { pdfToText } from './pdf-text';
import { decodePlainText } from './plain-text';
import { rtfToText } from './rtf-to-text';
import { abortReason, messageOf, parseMime, TEXT_MIME } from './text-mime';

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** Text out of PDF (unpdf, in a worker thread), DOCX (mammoth), TXT and RTF (read here). */
export class DocumentTextExtractor implements TextExtractor {
  readonly name = 'documents';
  readonly accepts = [TEXT_MIME.pdf, TEXT_MIME.docx, TEXT_MIME.txt, TEXT_MIME.rtf, TEXT_MIME.rtfText] as const;

  async extract(
    input: Buffer,
    mimeType: string,
    options: { onProgress?: (percent: number) => void; signal?: AbortSignal } = {},
  ): Promise<{ text: string }> {
    const { signal, onProgress } = options;
    if (signal?.aborted) throw abortReason(signal);
    const { type, charset } = parseMime(mimeType);
    onProgress?.(0);
    const text = await this.read(input, type, charset, signal);
    if (signal?.aborted) throw abortReason(signal);
    onProgress?.(100);
    return { text };
  }

  private async read(input: Buffer, type: string, charset: string | undefined, signal?: AbortSignal): Promise<string> {
    switch (type) {
      case TEXT_MIME.pdf:
        return pdfToText(input, signal);
      case TEXT_MIME.docx:
        return docxToText(input);
      case TEXT_MIME.txt:
        return decodePlainText(input, charset);
      case TEXT_MIME.rtf:
      case TEXT_MIME.rtfText:
        return rtfToText(input);
      default:
        throw new UnsupportedTransformation(`No text extraction for ${type || 'files without a type'}`);
    }
  }
}

async function docxToText(input: Buffer): Promise<string> {
  if (!input.subarray(0, 4).equals(ZIP_MAGIC)) throw new TransformationFailed('Not a DOCX document: it is not a ZIP archive');
  try {
    const { value } = await mammoth.extractRawText({ buffer: input });
    return value;
  } catch (error) {
    throw new TransformationFailed(`DOCX could not be read: ${messageOf(error)}`);
  }
}
