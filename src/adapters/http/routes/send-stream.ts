import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { Response } from 'express';

/**
 * Pipes a body into the response. A client that goes away mid-body is not an error of ours; a
 * provider failing mid-body cuts the connection (the status line is already gone).
 */
export async function sendStream(res: Response, body: Readable): Promise<void> {
  try {
    await pipeline(body, res);
  } catch (error) {
    body.destroy();
    if (!res.destroyed && !res.writableEnded) res.destroy(error as Error);
  }
}
