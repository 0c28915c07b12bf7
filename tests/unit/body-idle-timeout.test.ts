import express from 'express';
import { bodyIdleTimeout } from '../../src/adapters/http/middleware/body-idle-timeout';
import { listen, type RunningServer } from '../../src/infrastructure/http-server';
import { rawExchange } from '../support/raw-http';

/**
 * The idle bound is on a body that stops arriving, never on a handler that takes its time: once the
 * whole body is in (read or not), a slow answer must still be sent. Found by the fuzz suite: a GET
 * with a 1-byte body its route never reads, answered after the bound, had its connection closed
 * with no answer at all (Node destroys a socket whose timeout nobody handles).
 */
describe('bodyIdleTimeout', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const app = express();
    app.use(bodyIdleTimeout(200, 'test-service'));
    // Answers after 600 ms, three times the idle bound, without reading the body.
    // (Not once the bound answered 408 first: a second answer would throw out of the timer.)
    app.get('/slow', (_req, res) => void setTimeout(() => res.headersSent || res.json({ ok: true }), 600));
    server = await listen(app, 0, '127.0.0.1', { serviceName: 'test-service', headersTimeoutMs: 5_000, requestTimeoutMs: 10_000 });
  });
  // After the route's last timer, so nothing of this file runs once it is done.
  afterAll(async () => {
    await new Promise((resolve) => setTimeout(resolve, 700));
    await server.stop(1_000);
  });

  const head = ['GET /slow HTTP/1.1', 'Host: localhost', 'Content-Length: 1', 'Connection: close'].join('\r\n') + '\r\n\r\n';

  it('answers a slow route whose complete body it never read', async () => {
    // The byte comes after the head, so the middleware sees the body incomplete and arms the bound.
    const res = await rawExchange(server.port, head, { chunks: ['x'], gapMs: 50, timeoutMs: 5_000 });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true });
  });

  it('still answers 408 when the promised byte never comes', async () => {
    const res = await rawExchange(server.port, head, { timeoutMs: 5_000 });
    expect(res.status).toBe(408);
  });
});
