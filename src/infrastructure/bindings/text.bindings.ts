import path from 'node:path';
import type { TextExtractor } from '../../application/ports/text-extractor.port';
import { DocumentTextExtractor } from '../../adapters/text/document-text-extractor';
import { RoutingTextExtractor } from '../../adapters/text/routing-text-extractor';
import { bundledEnglishLangPath, TesseractTextExtractor } from '../../adapters/text/tesseract-text-extractor';
import type { Config } from '../config';
import type { Bind, Get } from '../container';
import type { Lifecycle } from '../lifecycle';
import { TOKENS } from '../tokens';

/**
 * Text extraction: documents read directly, images by OCR. The OCR worker starts on the first image
 * and is terminated at shutdown; its unpacked English model is kept under DATA_DIR.
 */
export function bindTextExtraction(bind: Bind, get: Get): void {
  bind<TextExtractor>(TOKENS.TextExtractor, () => {
    const config = get<Config>(TOKENS.Config);
    const ocr = new TesseractTextExtractor({ langPath: bundledEnglishLangPath(), cachePath: path.join(config.dataDir, 'tesseract') });
    get<Lifecycle>(TOKENS.Lifecycle).onClose('OCR worker', () => ocr.close());
    return new RoutingTextExtractor([new DocumentTextExtractor(), ocr]);
  });
}
