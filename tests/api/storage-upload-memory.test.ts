import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { storageApp } from '../support/storage-world';
import { aToken } from '../support/tokens';

const MB = 1024 * 1024;
const SIZE = 256 * MB;

let world: Awaited<ReturnType<typeof storageApp>>;
let server: http.Server;
beforeAll(async () => {
  world = await storageApp({ MAX_FILE_SIZE: '512mb' });
  server = http.createServer(world.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await world.cleanup();
});

/** Streams a multipart upload of `size` bytes from one reused buffer, honouring back-pressure. */
async function streamUpload(token: string, size: number): Promise<{ status: number; body: string }> {
  const head = Buffer.from(`--B\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\nContent-Type: text/plain\r\n\r\n`);
  const tail = Buffer.from('\r\n--B--\r\n');
  const chunk = Buffer.from(randomBytes(MB / 2).toString('hex'));
  const req = http.request({
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    method: 'POST',
    path: '/api/v1/storage/upload',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'multipart/form-data; boundary=B', 'Content-Length': String(head.length + size + tail.length) },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
  req.write(head);
  for (let sent = 0; sent < size; sent += chunk.length) {
    if (!req.write(chunk.subarray(0, Math.min(chunk.length, size - sent)))) await new Promise((r) => req.once('drain', r));
  }
  req.end(tail);
  return answer;
}

describe('a large upload', () => {
  it('streams: the process grows by far less than the file', async () => {
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const res = await streamUpload(await aToken(), SIZE);
      expect(res.status).toBe(201);
      expect(JSON.parse(res.body).file.size_bytes).toBe(SIZE);
    } finally {
      clearInterval(sampler);
    }
    expect((peak - baseline) / MB).toBeLessThan(96);
  }, 120_000);
});
