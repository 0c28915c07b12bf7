import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { someText } from '../support/media-fixtures';
import { currentRun } from '../support/run-resources';
import { filesUnder, storageApp } from '../support/storage-world';
import { aToken } from '../support/tokens';

let world: Awaited<ReturnType<typeof storageApp>>;
let server: http.Server;
let sql: Client;

beforeAll(async () => {
  world = await storageApp({ MAX_FILE_SIZE: '64kb' });
  server = http.createServer(world.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sql = new Client({ connectionString: currentRun().databaseUrl });
  await sql.connect();
});
afterAll(async () => {
  await sql.end();
  await new Promise((resolve) => server.close(resolve));
  await world.cleanup();
});

/** Starts a multipart upload and keeps the body open; resolves with the answer, whenever it comes. */
function openUpload(token: string, headers: Record<string, string>) {
  const req = http.request({
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    method: 'POST',
    path: '/api/v1/storage/upload',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'multipart/form-data; boundary=B', ...headers },
  });
  req.on('error', () => undefined);
  const answer = new Promise<{ status: number; body: { error?: { code: string } } }>((resolve) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') }));
    });
  });
  req.write(`--B\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\nContent-Type: text/plain\r\n\r\n`);
  return { req, answer };
}

describe('MAX_FILE_SIZE: reading stops early', () => {
  it('answers 413 FILE_TOO_LARGE from Content-Length alone, before the body is sent', async () => {
    const { req, answer } = openUpload(await aToken(), { 'Content-Length': String(50 * 1024 * 1024) });
    const res = await answer;
    req.destroy();
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 413, code: 'FILE_TOO_LARGE' });
  });

  it('answers 413 once a chunked body passes the limit, while the client is still sending, and keeps nothing', async () => {
    const user = randomUUID();
    const { req, answer } = openUpload(await aToken({ sub: user }), { 'Transfer-Encoding': 'chunked' });
    req.write(someText(100 * 1024));
    // The body never ends: only an answer sent before its end can arrive.
    const res = await answer;
    req.destroy();
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 413, code: 'FILE_TOO_LARGE' });
    expect((await sql.query('SELECT 1 FROM files WHERE user_id = $1', [user])).rows).toEqual([]);
    expect(await filesUnder(`${world.root}/users/${user}`)).toEqual([]);
  });
});
