import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { localFileBody } from '../../src/adapters/object-store/local-file-body';
import { isSelfSending } from '../../src/application/ports/object-store.port';

const KiB = 1024;
let dir: string;
let file: string;
let content: Buffer;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-file-body-'));
  file = path.join(dir, 'object.bin');
  content = randomBytes(5 * 1024 * KiB + 123);
  await fs.writeFile(file, content);
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Like a socket: copies what it is given only when it gets to it (later), then calls back. */
function slowSink(options: { failAfterBytes?: number } = {}): Writable & { received(): Buffer } {
  const parts: Buffer[] = [];
  let bytes = 0;
  const sink = new Writable({
    highWaterMark: 16 * KiB,
    write(chunk: Buffer, _encoding, callback) {
      setTimeout(() => {
        parts.push(Buffer.from(chunk));
        bytes += chunk.length;
        if (options.failAfterBytes !== undefined && bytes > options.failAfterBytes) sink.destroy();
        callback();
      }, 1);
    },
  });
  return Object.assign(sink, { received: () => Buffer.concat(parts) });
}

async function openFds(): Promise<number> {
  return (await fs.readdir('/proc/self/fd')).length;
}

describe('localFileBody', () => {
  it('sends the whole file through reused buffers, each refilled only after the sink took it', async () => {
    const body = localFileBody(file, null, 64 * KiB);
    expect(isSelfSending(body)).toBe(true);
    const sink = slowSink();
    await body.sendTo(sink);
    expect(sink.received().equals(content)).toBe(true);
  });

  it('sends only the range', async () => {
    const body = localFileBody(file, { start: 70_000, end: 3_000_000 }, 64 * KiB);
    const sink = slowSink();
    await body.sendTo(sink);
    expect(sink.received().equals(content.subarray(70_000, 3_000_001))).toBe(true);
  });

  it('still reads as a plain stream', async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of localFileBody(file, { start: 10, end: 99_999 }, 64 * KiB)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(content.subarray(10, 100_000))).toBe(true);
  });

  it('fails, rather than hangs, when the sink goes away mid-body, and closes the file', async () => {
    const before = await openFds();
    const body = localFileBody(file, null, 64 * KiB);
    await expect(body.sendTo(slowSink({ failAfterBytes: 300 * KiB }))).rejects.toThrow();
    expect(await openFds()).toBeLessThanOrEqual(before);
  });
});
