import { Worker } from 'node:worker_threads';
import { TransformationFailed } from '../../domain/storage/errors';
import { abortReason } from '../text/text-mime';

/** Old generation of a PDF worker's heap: a hostile PDF fails here instead of exhausting the service. */
const WORKER_HEAP_MB = 512;

/**
 * Runs `source` (CommonJS, evaluated in a worker thread) over a copy of the PDF's bytes, given to it
 * as `workerData.bytes` beside `data`. PDF.js (through unpdf) runs there: its bundle is ESM-only,
 * which Node loads in a worker but Jest's CommonJS runtime cannot; and a PDF that makes PDF.js throw
 * or loop can only take the worker down, which an AbortSignal terminates. The worker answers with one
 * message: `{ error }` (a message, reported as `${failure}: …`) or the result.
 */
export function runPdfWorker<T>(source: string, input: Buffer, data: Record<string, unknown>, failure: string, signal?: AbortSignal): Promise<T> {
  if (input.subarray(0, 1024).indexOf('%PDF-') < 0) return Promise.reject(new TransformationFailed('Not a PDF document: no %PDF- header'));
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  const bytes = new Uint8Array(input.byteLength);
  bytes.set(input);
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(source, {
      eval: true,
      workerData: { ...data, bytes },
      transferList: [bytes.buffer],
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
      stdout: true,
      stderr: true,
    });
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      finish();
    };
    const onAbort = () => settle(() => reject(abortReason(signal!)));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (message: T & { error?: string }) =>
      settle(() => (message.error !== undefined ? reject(new TransformationFailed(`${failure}: ${message.error}`)) : resolve(message))),
    );
    worker.once('error', (error) => settle(() => reject(new TransformationFailed(`${failure}: ${error.message}`))));
    worker.once('exit', (code) => settle(() => reject(new TransformationFailed(`${failure}: the PDF worker stopped (exit code ${code})`))));
  });
}
