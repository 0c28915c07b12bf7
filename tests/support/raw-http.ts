import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: unknown;
  /** Milliseconds from connecting to the server closing the connection. */
  elapsedMs: number;
}

/**
 * Writes `head` (and then each of `chunks`, `gapMs` apart) on a plain TCP socket, as no HTTP client
 * would (oversized or malformed heads, bodies shorter than their Content-Length), and reads what
 * the server answers until it closes the connection. Rejects if it is still open after `timeoutMs`.
 */
export function rawExchange(port: number, head: string | Buffer, options: { chunks?: Array<string | Buffer>; gapMs?: number; timeoutMs?: number } = {}): Promise<RawResponse> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    const timers: NodeJS.Timeout[] = [];
    const deadline = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${options.timeoutMs ?? 5_000} ms`));
    }, options.timeoutMs ?? 5_000);
    socket.on('data', (chunk) => received.push(chunk));
    // The server may reset the connection right after its answer; what it wrote still counts.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(deadline);
      timers.forEach(clearTimeout);
      try {
        resolve({ ...parse(Buffer.concat(received).toString('utf8')), elapsedMs: Date.now() - started });
      } catch (error) {
        reject(error);
      }
    });
    socket.on('connect', () => {
      socket.write(head);
      (options.chunks ?? []).forEach((chunk, i) => {
        timers.push(setTimeout(() => socket.writable && socket.write(chunk), (i + 1) * (options.gapMs ?? 0)));
      });
    });
  });
}

function parse(text: string): Omit<RawResponse, 'elapsedMs'> {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`no HTTP response before the connection closed: ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? '')?.[1]);
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  const body = text.slice(split + 4);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status, headers, json };
}

/** Asserts the standard error body (001) on a raw response, with the X-Request-ID it carries. */
export function expectRawStandardError(res: RawResponse, status: number, code: string): void {
  expect({ status: res.status, code: (res.json as { error?: { code?: string } } | undefined)?.error?.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.headers['x-request-id']).toEqual(expect.any(String));
  expect(res.json).toEqual({
    error: {
      code,
      message: expect.any(String),
      details: expect.any(Object),
      timestamp: expect.any(String),
      request_id: res.headers['x-request-id'],
      service: 'visiobook-data-platform',
    },
  });
}
