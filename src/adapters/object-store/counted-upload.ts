import type { Readable } from 'node:stream';
import { ByteCounter } from './object-key';

/**
 * Streams `body` into an SDK upload (Azure's uploadStream, S3's lib-storage Upload) through a byte
 * counter, and answers the bytes stored. Neither SDK notices a source that fails, so its failure is
 * forwarded into what the SDK reads; and the client's own failure (it went away) is what the caller
 * gets, not the provider error it caused.
 */
export async function countedUpload(body: Readable, upload: (counted: Readable) => Promise<unknown>): Promise<{ size: number }> {
  const counter = new ByteCounter();
  let sourceError: unknown;
  body.once('error', (error) => {
    sourceError = error;
    counter.destroy(error);
  });
  body.pipe(counter);
  try {
    await upload(counter);
  } catch (error) {
    body.unpipe(counter);
    counter.destroy();
    throw sourceError ?? error;
  }
  return { size: counter.bytes };
}
