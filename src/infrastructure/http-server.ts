import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';

export interface RunningServer {
  server: http.Server;
  port: number;
  /**
   * Stops accepting, lets in-flight requests finish for up to `graceMs`, then cuts what is left.
   * Resolves once every connection is closed.
   */
  stop(graceMs: number): Promise<void>;
}

export function listen(handler: RequestListener, port: number, host: string): Promise<RunningServer> {
  const server = http.createServer(handler);
  // Slowloris guards; keep-alive above typical load-balancer idle timeouts.
  server.headersTimeout = 30_000;
  server.requestTimeout = 0; // long uploads and streams are legitimate; the routes bound their own work
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve({ server, port: address.port, stop: (graceMs) => stop(server, graceMs) });
    });
  });
}

function stop(server: http.Server, graceMs: number): Promise<void> {
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
