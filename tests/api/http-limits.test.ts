import { Client } from 'pg';
import { listen, type RunningServer } from '../../src/infrastructure/http-server';
import { eventually } from '../support/eventually';
import { expectRawStandardError, rawExchange } from '../support/raw-http';
import { capturingLogger } from '../support/capturing-logger';
import { currentRun } from '../support/run-resources';
import { filesUnder, storageApp } from '../support/storage-world';
import { aToken } from '../support/tokens';
import { randomUUID } from 'node:crypto';
import { TOKENS } from '../../src/infrastructure/tokens';

/**
 * What Node's HTTP server meets before (or beside) Express: oversized and malformed request heads,
 * heads that never finish, bodies that stop arriving. Over a real listening server and raw sockets,
 * since no HTTP client sends these. Timeouts are shortened so each case ends within the test.
 */
describe('HTTP server limits', () => {
  let t: Awaited<ReturnType<typeof storageApp>>;
  let server: RunningServer;
  let sql: Client;
  const user = { id: randomUUID(), token: '' };
  const log = capturingLogger('warn');

  beforeAll(async () => {
    t = await storageApp({ HTTP_BODY_IDLE_TIMEOUT_MS: '300', HTTP_HEADERS_TIMEOUT_MS: '500' }, undefined, { [TOKENS.Logger]: log.logger });
    server = await listen(t.app, 0, '127.0.0.1', {
      serviceName: t.config.serviceName,
      headersTimeoutMs: t.config.http.headersTimeoutMs,
      requestTimeoutMs: t.config.http.requestTimeoutMs,
    });
    sql = new Client({ connectionString: currentRun().databaseUrl });
    await sql.connect();
    user.token = await aToken({ sub: user.id });
  });
  afterAll(async () => {
    await server.stop(1_000);
    await sql.end();
    await t.cleanup();
  });

  const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;

  it('answers a plain request over the same raw socket, as a control', async () => {
    const res = await rawExchange(server.port, head(['GET /health/live HTTP/1.1', 'Host: localhost', 'Connection: close']));
    expect(res.status).toBe(200);
  });

  it('answers a request head over 16 KiB with 431 HEADERS_TOO_LARGE in the standard body', async () => {
    const res = await rawExchange(server.port, head(['GET /health/live HTTP/1.1', 'Host: localhost', `X-Padding: ${'a'.repeat(20_000)}`]));
    expectRawStandardError(res, 431, 'HEADERS_TOO_LARGE');
    expect(res.headers.connection).toBe('close');
  });

  it('answers a head the parser refuses with 400 MALFORMED_REQUEST in the standard body', async () => {
    const res = await rawExchange(server.port, head(['GET /health/live HTTP/1.1', 'Host: localhost', 'Bad Header Name: x']));
    expectRawStandardError(res, 400, 'MALFORMED_REQUEST');
  });

  it('answers a head that never finishes with 408 REQUEST_TIMEOUT after HTTP_HEADERS_TIMEOUT_MS', async () => {
    const res = await rawExchange(server.port, 'GET /health/live HTTP/1.1\r\nHost: localhost\r\n', { timeoutMs: 5_000 });
    expectRawStandardError(res, 408, 'REQUEST_TIMEOUT');
    expect(res.elapsedMs).toBeGreaterThanOrEqual(400);
  });

  it('answers a body shorter than its Content-Length with 408 once no byte came for HTTP_BODY_IDLE_TIMEOUT_MS, and closes', async () => {
    const res = await rawExchange(
      server.port,
      head([
        'POST /api/v1/data/transaction HTTP/1.1',
        'Host: localhost',
        `Authorization: Bearer ${user.token}`,
        'Content-Type: application/json',
        'Content-Length: 200',
        'X-Request-ID: idle-body-1',
      ]) + '{"operations": [',
      { timeoutMs: 5_000 },
    );
    expectRawStandardError(res, 408, 'REQUEST_TIMEOUT');
    expect(res.headers['x-request-id']).toBe('idle-body-1');
    expect(res.elapsedMs).toBeGreaterThanOrEqual(250);
    // The body reader failing after the 408 is expected, not a bug to page anyone about.
    const lines = () => log.lines().filter((line) => line.request_id === 'idle-body-1');
    await eventually('the cut body to be logged', async () => (lines().some((line) => line.msg === 'request body ended early') ? true : undefined), 2_000);
    expect(lines().map((line) => line.msg)).not.toContain('unexpected error');
  });

  it('cuts a stalled multipart upload the same way and keeps nothing of it', async () => {
    const boundary = 'stalled-boundary';
    const partial = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="stalled.txt"\r\nContent-Type: text/plain\r\n\r\n${'x'.repeat(1_000)}`;
    const res = await rawExchange(
      server.port,
      head([
        'POST /api/v1/storage/upload HTTP/1.1',
        'Host: localhost',
        `Authorization: Bearer ${user.token}`,
        `Content-Type: multipart/form-data; boundary=${boundary}`,
        'Content-Length: 100000',
      ]) + partial,
      { timeoutMs: 5_000 },
    );
    expectRawStandardError(res, 408, 'REQUEST_TIMEOUT');
    // The upload notices the cut connection and removes its object (and temporary file) just after.
    await eventually('the partial object to be removed', async () => ((await filesUnder(t.root)).some((f) => f.includes(user.id)) ? undefined : true), 5_000);
    const rows = await sql.query('SELECT count(*)::int AS n FROM files WHERE user_id = $1', [user.id]);
    expect(rows.rows[0].n).toBe(0);
  });

  it('lets a slow body through as long as bytes keep coming: the bound is on silence, not on duration', async () => {
    const body = JSON.stringify({ filename: 'slow.bin', file_size: 10, mime_type: 'application/octet-stream' });
    const pieces = [body.slice(0, 10), body.slice(10, 20), body.slice(20, 40), body.slice(40)];
    const res = await rawExchange(
      server.port,
      head([
        'POST /api/v1/storage/upload/resumable/init HTTP/1.1',
        'Host: localhost',
        `Authorization: Bearer ${user.token}`,
        'Content-Type: application/json',
        `Content-Length: ${Buffer.byteLength(body)}`,
        'Connection: close',
      ]),
      { chunks: pieces, gapMs: 200, timeoutMs: 5_000 },
    );
    expect(res.status).toBe(201);
    // Four gaps of 200 ms: longer in total than the 300 ms idle bound.
    expect(res.elapsedMs).toBeGreaterThanOrEqual(750);
  });
});
