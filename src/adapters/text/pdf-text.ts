import { Worker } from 'node:worker_threads';
import { TransformationFailed } from '../../domain/storage/errors';
import { abortReason } from './text-mime';

/**
 * PDF.js (through unpdf) runs in a worker thread: its bundle is ESM-only, which Node loads in a
 * worker but Jest's CommonJS runtime cannot; and a PDF that makes PDF.js throw or loop can only take
 * the worker down, which an AbortSignal terminates.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { extractText, getDocumentProxy } = require(workerData.entry);
(async () => {
  const pdf = await getDocumentProxy(workerData.bytes, { isEvalSupported: false, verbosity: 0 });
  const { text } = await extractText(pdf, { mergePages: false });
  parentPort.postMessage({ text: text.join('\\n\\f') });
})().catch((error) => parentPort.postMessage({ error: String((error && error.message) || error) }));
`;

/** Old generation of the PDF worker's heap: a hostile PDF fails here instead of exhausting the service. */
const WORKER_HEAP_MB = 512;

export function pdfToText(input: Buffer, signal?: AbortSignal): Promise<string> {
  if (input.subarray(0, 1024).indexOf('%PDF-') < 0) return Promise.reject(new TransformationFailed('Not a PDF document: no %PDF- header'));
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  const bytes = new Uint8Array(input.byteLength);
  bytes.set(input);
  return new Promise<string>((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { entry: require.resolve('unpdf'), bytes },
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
    worker.once('message', (message: { text?: string; error?: string }) =>
      settle(() =>
        message.error !== undefined
          ? reject(new TransformationFailed(`PDF could not be read: ${message.error}`))
          : resolve(message.text ?? ''),
      ),
    );
    worker.once('error', (error) => settle(() => reject(new TransformationFailed(`PDF could not be read: ${error.message}`))));
    worker.once('exit', (code) => settle(() => reject(new TransformationFailed(`PDF reader stopped (exit code ${code})`))));
  });
}
