/** One timed HTTP exchange of a load client: the whole body read, the latency measured to its end. */
export interface Answer {
  status: number;
  headers: Headers;
  bytes: Buffer;
  ms: number;
  json(): any;
}

export interface CallOptions {
  token?: string;
  json?: unknown;
  body?: RequestInit['body'];
  headers?: Record<string, string>;
}

/** Status 0: no answer (connection refused or cut); `bytes` then holds the error's message. */
export async function call(base: string, method: string, route: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body = options.body;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const started = performance.now();
  try {
    const res = await fetch(base + route, { method, headers, body, redirect: 'manual' });
    const bytes = Buffer.from(await res.arrayBuffer());
    return answer(res.status, res.headers, bytes, performance.now() - started);
  } catch (error) {
    const message = error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}` : String(error);
    return answer(0, new Headers(), Buffer.from(message), performance.now() - started);
  }
}

function answer(status: number, headers: Headers, bytes: Buffer, ms: number): Answer {
  return {
    status,
    headers,
    bytes,
    ms,
    json: () => {
      try {
        return JSON.parse(bytes.toString('utf8'));
      } catch {
        return undefined;
      }
    },
  };
}
