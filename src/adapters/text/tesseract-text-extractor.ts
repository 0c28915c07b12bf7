import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createWorker, OEM, type Worker } from 'tesseract.js';
import type { TextExtractor } from '../../application/ports/text-extractor.port';
import { TransformationFailed, UnsupportedTransformation } from '../../domain/storage/errors';
import { abortReason, messageOf, parseMime, TEXT_MIME } from './text-mime';

/** The English model shipped by @tesseract.js-data/eng: with it tesseract.js never reaches for the network. */
export function bundledEnglishLangPath(): string {
  return path.join(path.dirname(require.resolve('@tesseract.js-data/eng')), '4.0.0_best_int');
}

const SIGNATURES: Array<{ type: string; matches: (b: Buffer) => boolean }> = [
  { type: TEXT_MIME.png, matches: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { type: TEXT_MIME.jpeg, matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: TEXT_MIME.webp, matches: (b) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP' },
  { type: TEXT_MIME.bmp, matches: (b) => b.toString('latin1', 0, 2) === 'BM' },
  { type: TEXT_MIME.tiff, matches: (b) => ['II*\0', 'MM\0*'].includes(b.toString('latin1', 0, 4)) },
];

export interface TesseractOptions {
  /** Folder of eng.traineddata.gz; bundledEnglishLangPath() unless a test says otherwise. */
  langPath: string;
  /** Where tesseract.js keeps the unpacked model between runs. */
  cachePath: string;
}

/**
 * OCR with tesseract.js, strictly offline. One worker, created on first use and reused; images are
 * read one at a time so that its progress goes to the right caller. An abort terminates the worker
 * (a running recognition cannot be stopped otherwise); the next image starts a new one.
 */
export class TesseractTextExtractor implements TextExtractor {
  readonly name = 'tesseract';
  readonly accepts = SIGNATURES.map((s) => s.type);
  private worker: Promise<Worker> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private progress: ((percent: number) => void) | undefined;

  constructor(private readonly options: TesseractOptions) {}

  extract(input: Buffer, mimeType: string, options: { onProgress?: (percent: number) => void; signal?: AbortSignal } = {}): Promise<{ text: string }> {
    const run = this.queue.then(() => this.recognize(input, mimeType, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.discardWorker();
  }

  private async recognize(input: Buffer, mimeType: string, options: { onProgress?: (percent: number) => void; signal?: AbortSignal }): Promise<{ text: string }> {
    const { signal, onProgress } = options;
    const { type } = parseMime(mimeType);
    if (!this.accepts.includes(type)) throw new UnsupportedTransformation(`No OCR for ${type || 'files without a type'}`);
    const actual = SIGNATURES.find((s) => s.matches(input));
    if (!actual) throw new TransformationFailed(`Not an image tesseract can read (declared ${type})`);
    if (actual.type !== type) throw new TransformationFailed(`Declared ${type} but the content is ${actual.type}`);
    if (signal?.aborted) throw abortReason(signal);

    onProgress?.(0);
    this.progress = onProgress;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        void this.discardWorker();
        reject(abortReason(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => undefined);
    try {
      const worker = await Promise.race([this.ensureWorker(), aborted]);
      const result = await Promise.race([worker.recognize(input), aborted]);
      onProgress?.(100);
      return { text: result.data.text };
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      // A worker that failed on one image may be left in any state: start afresh next time.
      await this.discardWorker();
      throw new TransformationFailed(`OCR could not read the image: ${messageOf(error)}`);
    } finally {
      this.progress = undefined;
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  private ensureWorker(): Promise<Worker> {
    if (!this.worker) {
      mkdirSync(this.options.cachePath, { recursive: true });
      const starting = createWorker('eng', OEM.LSTM_ONLY, {
        langPath: this.options.langPath,
        cachePath: this.options.cachePath,
        gzip: true,
        logger: (m: { status: string; progress: number }) => {
          if (m.status === 'recognizing text') this.progress?.(Math.min(99, Math.round(m.progress * 100)));
        },
        // Without it tesseract.js rethrows a worker's failure where no caller can catch it.
        errorHandler: () => undefined,
      });
      starting.catch(() => {
        if (this.worker === starting) this.worker = null;
      });
      this.worker = starting;
    }
    return this.worker;
  }

  private async discardWorker(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    await worker.then((w) => w.terminate()).catch(() => undefined);
  }
}
