import express from 'express';
import { InsufficientStorage } from '../../src/domain/storage/errors';
import { handleErrors } from '../../src/adapters/http/middleware/error-handler';
import { listen, type RunningServer } from '../../src/infrastructure/http-server';
import { rawExchange } from '../support/raw-http';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child() { return this; } };

/**
 * A route that stops reading its body half-way and fails (a tus PATCH whose disk filled up: 507) must
 * not leave the connection open for another request. Node does not drain a body someone started
 * reading; the socket stays paused, and a keep-alive client that sends its next request on it waits
 * for ever (the fault suite's disk-full phase: a transaction of the load, sent right after the 507
 * tus PATCH on the same pooled connection, got no answer within 30 s).
 */
describe('an error answered while the body is half read', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const app = express();
    app.post('/half', (req, _res, next) => {
      req.once('data', () => {
        req.pause();
        next(new InsufficientStorage('The storage is full: nothing of this write was kept', { provider: 'test' }));
      });
    });
    app.get('/ok', (_req, res) => void res.json({ ok: true }));
    app.use(handleErrors(silent as never, 'test-service'));
    server = await listen(app, 0, '127.0.0.1', { serviceName: 'test-service', headersTimeoutMs: 5_000, requestTimeoutMs: 10_000 });
  });
  afterAll(() => server.stop(1_000));

  it('answers with Connection: close and closes, so no next request is sent on a socket nobody reads', async () => {
    const body = Buffer.alloc(2 * 1024 * 1024, 'x');
    const head = ['POST /half HTTP/1.1', 'Host: localhost', 'Content-Type: application/octet-stream', `Content-Length: ${body.length}`].join('\r\n') + '\r\n\r\n';
    // Keep-alive (no Connection: close from the client): the exchange ends only when the server closes.
    const res = await rawExchange(server.port, Buffer.concat([Buffer.from(head), body]), { timeoutMs: 5_000 });
    expect(res.status).toBe(507);
    expect(res.headers['connection']).toBe('close');
    expect((res.json as { error: { code: string } }).error.code).toBe('INSUFFICIENT_STORAGE');
  });
});
