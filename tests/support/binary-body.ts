import type { Readable } from 'node:stream';

/** A supertest parser that keeps the body as a Buffer whatever its Content-Type. */
export function binaryBody(res: unknown, done: (err: Error | null, body: Buffer) => void): void {
  const stream = res as Readable;
  const parts: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => parts.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(parts)));
}
