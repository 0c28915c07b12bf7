import { once } from 'node:events';
import { createReadStream, type ReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { SelfSendingBody } from '../../application/ports/object-store.port';

/** Two buffers: one being read into while the other is being written out. */
const BUFFERS = 2;

/**
 * A file (or a byte range of it) as a stream, which can also send itself (SelfSendingBody): a loop
 * reading into two reused buffers and writing each to the sink, a buffer read into again only once
 * the sink's write callback has fired, at most one write past the sink's high-water mark.
 */
export function localFileBody(file: string, range: { start: number; end: number } | null, bufferBytes: number): ReadStream & SelfSendingBody {
  const stream = createReadStream(file, { ...(range ?? {}), highWaterMark: bufferBytes });
  return Object.assign(stream, {
    async sendTo(sink: Writable): Promise<void> {
      stream.destroy();
      const handle = await fs.open(file, 'r');
      try {
        const end = range ? range.end : (await handle.stat()).size - 1;
        const buffers = Array.from({ length: BUFFERS }, () => Buffer.allocUnsafeSlow(bufferBytes));
        const flushed: Array<Promise<void> | null> = buffers.map(() => null);
        const sinkGone = once(sink, 'close').then(() => {
          throw new Error('The sink closed before the body was sent');
        });
        sinkGone.catch(() => undefined);
        let position = range ? range.start : 0;
        for (let i = 0; position <= end; i = (i + 1) % BUFFERS) {
          if (flushed[i]) await Promise.race([flushed[i], sinkGone]);
          const buffer = buffers[i]!;
          const { bytesRead } = await handle.read(buffer, 0, Math.min(bufferBytes, end - position + 1), position);
          if (bytesRead === 0) throw new Error('The file ended before its size (truncated while being read)');
          position += bytesRead;
          flushed[i] = new Promise<void>((resolve, reject) => {
            sink.write(buffer.subarray(0, bytesRead), (error) => (error ? reject(error) : resolve()));
          });
          flushed[i]!.catch(() => undefined);
          if (sink.writableNeedDrain) await Promise.race([once(sink, 'drain'), sinkGone]);
        }
        await Promise.race([Promise.all(flushed), sinkGone]);
      } finally {
        await handle.close();
      }
    },
  });
}
