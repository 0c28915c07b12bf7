import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as a fake provider received it, for tests that assert on the exact wire shape. */
export interface RecordedRequest {
  method: string;
  /** Path and query string, as sent. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type FakeHandler = (req: RecordedRequest, res: http.ServerResponse) => void;

/**
 * A provider's API on 127.0.0.1 (an ephemeral port, as in jwks-server). Requests are recorded
 * whole before the handler sees them; `close` also drops the requests a test left hanging.
 */
export async function startFakeServer(handler: FakeHandler): Promise<{ url: string; requests: RecordedRequest[]; close(): Promise<void> }> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      try {
        handler(recorded, res);
      } catch (error) {
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`fake server bug: ${String(error)}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}

/** JSON.parse that answers undefined instead of throwing, so a fake can reply in the provider's own error format. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
