import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { teachMultipart } from './s3rver-multipart';

export interface RunningS3 {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Every request the server has answered, in order: what a test asserts a call did (or did not) send. */
  requests: Array<{ method: string; path: string; query: Record<string, unknown> }>;
  stop(): Promise<void>;
}

/** s3rver in this process on a free port, storing under a temporary folder removed at stop. */
export async function startS3rver(): Promise<RunningS3> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const S3rver = require('s3rver') as new (options: Record<string, unknown>) => {
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  };
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  teachMultipart(server);
  const requests: RunningS3['requests'] = [];
  const internals = server as unknown as { middleware: unknown[] };
  internals.middleware.unshift(async (ctx: { method: string; path: string; query: Record<string, unknown> }, next: () => Promise<void>) => {
    requests.push({ method: ctx.method, path: ctx.path, query: { ...ctx.query } });
    await next();
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    // s3rver's built-in account; it does not check signatures, only their expiry.
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    requests,
    stop: async () => {
      await server.close();
      await fs.rm(directory, { recursive: true, force: true });
    },
  };
}
