import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { LocalDiskObjectStore } from '../../src/adapters/object-store/local-disk-object-store';
import type { ObjectStore } from '../../src/application/ports/object-store.port';
import type { Overrides } from '../../src/infrastructure/container';
import { TOKENS } from '../../src/infrastructure/tokens';
import { buildTestApp, type TestApp } from './test-app';
import { bearer } from './tokens';

/** An app over a disk object store of its own (a temp folder), with whatever env the test needs. */
export async function storageApp(
  env: Record<string, string> = {},
  store?: ObjectStore,
  overrides: Overrides = {},
): Promise<TestApp & { store: ObjectStore; root: string; cleanup(): Promise<void> }> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-storage-'));
  const disk = new LocalDiskObjectStore(root);
  await disk.ensureReady();
  const chosen = store ?? disk;
  const app = await buildTestApp({ env, overrides: { [TOKENS.ObjectStore]: chosen, ...overrides } });
  return {
    ...app,
    store: chosen,
    root,
    cleanup: async () => {
      await app.close();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

export interface UploadOptions {
  name?: string;
  type?: string;
  metadata?: unknown;
  checksum?: string;
  /** Send the metadata part after the file part. */
  metadataLast?: boolean;
}

export function upload(app: TestApp['app'], token: string, content: Buffer, options: UploadOptions = {}): request.Test {
  const req = request(app).post('/api/v1/storage/upload').set(bearer(token));
  if (options.checksum) req.set('X-File-Checksum', options.checksum);
  const metadata = options.metadata === undefined ? undefined : JSON.stringify(options.metadata);
  if (metadata !== undefined && !options.metadataLast) req.field('metadata', metadata);
  req.attach('file', content, { filename: options.name ?? 'file.bin', contentType: options.type ?? 'application/octet-stream' });
  if (metadata !== undefined && options.metadataLast) req.field('metadata', metadata);
  return req;
}

export const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every regular file under the folder (recursively), relative to it; [] when it does not exist. */
export async function filesUnder(folder: string): Promise<string[]> {
  const entries = await fs.readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(folder, path.join(e.parentPath ?? e.path, e.name)));
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
