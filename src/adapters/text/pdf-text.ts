import { runPdfWorker } from '../pdf/run-pdf-worker';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { extractText, getDocumentProxy } = require(workerData.entry);
(async () => {
  const pdf = await getDocumentProxy(workerData.bytes, { isEvalSupported: false, verbosity: 0 });
  const { text } = await extractText(pdf, { mergePages: false });
  parentPort.postMessage({ text: text.join('\\n\\f') });
})().catch((error) => parentPort.postMessage({ error: String((error && error.message) || error) }));
`;

/** The text of every page, pages separated by a form feed; PDF.js (unpdf) runs in a worker thread. */
export async function pdfToText(input: Buffer, signal?: AbortSignal): Promise<string> {
  const { text } = await runPdfWorker<{ text?: string }>(WORKER_SOURCE, input, { entry: require.resolve('unpdf') }, 'PDF could not be read', signal);
  return text ?? '';
}
