import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';
import type { Duplex } from 'node:stream';
import { clientErrorFailure, rawErrorResponse } from '../adapters/http/client-error-response';

export interface RunningServer {
  server: http.Server;
  port: number;
  /**
   * Stops accepting, lets in-flight requests finish for up to `graceMs`, then cuts what is left.
   * Resolves once every connection is closed.
   */
  stop(graceMs: number): Promise<void>;
}

export interface ListenOptions {
  /** Names the service in the error bodies of requests Node refuses before the app sees them; unset: Node's bare answers. */
  serviceName?: string;
  /** HTTP_HEADERS_TIMEOUT_MS: the request line and headers must arrive within this (slowloris guard). */
  headersTimeoutMs?: number;
  /** HTTP_REQUEST_TIMEOUT_MS: bound on receiving a whole request, body included; 0: none (long uploads). */
  requestTimeoutMs?: number;
}

const DEFAULT_HEADERS_TIMEOUT_MS = 30_000;
// Node looks for expired header and request timers this often; never less often than the shortest of them.
const MAX_CHECK_INTERVAL_MS = 30_000;

export function listen(handler: RequestListener, port: number, host: string, options: ListenOptions = {}): Promise<RunningServer> {
  const headersTimeout = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const requestTimeout = options.requestTimeoutMs ?? 0;
  const shortest = Math.min(headersTimeout, requestTimeout > 0 ? requestTimeout : Infinity);
  const server = http.createServer(
    {
      headersTimeout,
      // Long uploads and streams are legitimate unless an operator bounds them; stalled bodies are
      // cut by the app's body idle timeout (HTTP_BODY_IDLE_TIMEOUT_MS) instead.
      requestTimeout,
      // Keep-alive above typical load-balancer idle timeouts.
      keepAliveTimeout: 65_000,
      connectionsCheckingInterval: Math.max(10, Math.min(MAX_CHECK_INTERVAL_MS, Math.floor(shortest / 2))),
    },
    handler,
  );
  const serviceName = options.serviceName;
  if (serviceName !== undefined) server.on('clientError', (error: Error, socket: Duplex) => answerClientError(error, socket, serviceName));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve({ server, port: address.port, stop: (graceMs) => closeServer(server, graceMs) });
    });
  });
}

/**
 * Node's own answer to a request its parser refuses (headers over 16 KiB, malformed, too slow) is a
 * bare status line; this one carries the standard error body and an X-Request-ID. Nothing is
 * written when the client is gone or a response is already under way on the connection.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex, service: string): void {
  const failure = clientErrorFailure(error);
  if (!failure || !socket.writable || answerStarted(socket)) {
    socket.destroy();
    return;
  }
  socket.end(rawErrorResponse(failure, service), () => socket.destroy());
}

/** Whether the response to the request in progress has begun (as Node's own clientError default checks). */
function answerStarted(socket: Duplex): boolean {
  const response: unknown = Reflect.get(socket, '_httpMessage');
  return typeof response === 'object' && response !== null && Reflect.get(response, 'headersSent') === true;
}

/** Stops accepting, lets in-flight requests finish within `graceMs`, then cuts what is left. */
export function closeServer(server: http.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    // Idle keep-alive sockets would hold close() open until they time out.
    server.closeIdleConnections();
  });
}
