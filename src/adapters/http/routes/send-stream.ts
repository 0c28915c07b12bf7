import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { Response } from 'express';
import { isSelfSending } from '../../../application/ports/object-store.port';

/**
 * Pipes a body into the response. A client that goes away mid-body is not an error of ours; a
 * provider failing mid-body cuts the connection (the status line is already gone).
 */
export async function sendStream(res: Response, body: Readable): Promise<void> {
  try {
    // The disk provider's bodies send themselves with two reused buffers: no buffer allocated per read,
    // so no collector churn at GB/s (docs/benchmarks.md, Storage).
    if (isSelfSending(body)) {
      await body.sendTo(res);
      res.end();
    } else {
      await pipeline(body, res);
    }
  } catch (error) {
    body.destroy();
    if (!res.destroyed && !res.writableEnded) res.destroy(error as Error);
  }
}
