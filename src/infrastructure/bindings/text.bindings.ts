import path from 'node:path';
import type { TextExtractor } from '../../application/ports/text-extractor.port';
import { DocumentTextExtractor } from '../../adapters/text/document-text-extractor';
import { RoutingTextExtractor } from '../../adapters/text/routing-text-extractor';
import { bundledEnglishLangPath, TesseractTextExtractor } from '../../adapters/text/tesseract-text-extractor';
import type { Config } from '../config';
import type { Bind } from '../binder';
import type { Lifecycle } from '../lifecycle';
import { TOKENS } from '../tokens';

/**
 * Text extraction: documents read directly, images by OCR. The OCR worker starts on the first image
 * and is terminated at shutdown; its unpacked English model is kept under DATA_DIR.
 */
export function bindTextExtraction(bind: Bind): void {
  bind(
    TOKENS.TextExtractor,
    (config: Config, lifecycle: Lifecycle): TextExtractor => {
      const ocr = new TesseractTextExtractor({ langPath: bundledEnglishLangPath(), cachePath: path.join(config.dataDir, 'tesseract') });
      lifecycle.onClose('OCR worker', () => ocr.close());
      return new RoutingTextExtractor([new DocumentTextExtractor(), ocr]);
    },
    [TOKENS.Config, TOKENS.Lifecycle],
  );
}
