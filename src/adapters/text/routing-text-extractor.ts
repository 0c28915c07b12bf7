import type { TextExtractor } from '../../application/ports/text-extractor.port';
import { UnsupportedTransformation } from '../../domain/storage/errors';
import { parseMime } from './text-mime';

/** Sends each file to the first extractor that accepts its MIME type: documents to one, images to OCR. */
export class RoutingTextExtractor implements TextExtractor {
  readonly name: string;
  readonly accepts: readonly string[];

  constructor(private readonly extractors: readonly TextExtractor[]) {
    this.name = extractors.map((e) => e.name).join('+');
    this.accepts = [...new Set(extractors.flatMap((e) => e.accepts))];
  }

  extract(input: Buffer, mimeType: string, options?: { onProgress?: (percent: number) => void; signal?: AbortSignal }): Promise<{ text: string }> {
    const { type } = parseMime(mimeType);
    const extractor = this.extractors.find((e) => e.accepts.includes(type));
    if (!extractor) return Promise.reject(new UnsupportedTransformation(`No text extraction for ${type || 'files without a type'}`));
    return extractor.extract(input, mimeType, options);
  }
}
