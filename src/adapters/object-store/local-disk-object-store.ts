import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteRange, ChunkedUploads, ObjectInfo, ObjectStore } from '../../application/ports/object-store.port';
import { FileNotFound, RangeNotSatisfiable } from '../../domain/storage/errors';
import { localFileBody } from './local-file-body';
import { ByteCounter, assertChunkIndex, assertSafeKey, assertUploadId, chunkName, newUploadId } from './object-key';
import { backendError, guardWith } from './storage-errors';

/** Chunks of resumable uploads, under a dot-folder that no valid key can reach. */
const UPLOADS_DIR = '.uploads';
/** 1 MiB reads rather than the 64 KiB default: about twice the download throughput (docs/benchmarks.md, Storage). */
const READ_BUFFER_BYTES = 1024 * 1024;
/**
 * Up to 1 MiB queued behind the write in progress, written by the next one as a single writev, where
 * the 16 KiB default makes every 64 KiB chunk of an upload its own write and pauses the socket for it:
 * a quarter less CPU in the thread pool, a tenth less on the event loop (docs/benchmarks.md, Storage).
 */
const WRITE_BUFFER_BYTES = 1024 * 1024;

/**
 * The embedded default: objects are files under one root. Every write goes to a temporary file in the
 * target folder and is renamed into place, so readers never see half an object and a failed put leaves
 * nothing. No content type is kept on disk; the files table holds it.
 */
export class LocalDiskObjectStore implements ObjectStore, ChunkedUploads {
  readonly provider = 'local_disk';

  constructor(readonly root: string) {}

  async ensureReady(): Promise<void> {
    await fs.mkdir(path.join(this.root, UPLOADS_DIR), { recursive: true });
  }

  async put(key: string, body: Readable, _options?: { contentType: string }): Promise<{ size: number }> {
    return this.writeAtomically(this.pathOf(key), body);
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const file = this.pathOf(key);
    const stats = await this.stat(file);
    if (!stats) throw new FileNotFound('No object at this key');
    if (!range) return localFileBody(file, null, READ_BUFFER_BYTES);
    if (range.start >= stats.size || range.end < range.start) throw new RangeNotSatisfiable('Range outside the object');
    return localFileBody(file, { start: range.start, end: Math.min(range.end, stats.size - 1) }, READ_BUFFER_BYTES);
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const stats = await this.stat(this.pathOf(key));
    if (!stats) return null;
    return { size: stats.size, contentType: null, etag: `"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`, lastModified: stats.mtime };
  }

  async delete(key: string): Promise<void> {
    await guard('delete', () => fs.rm(this.pathOf(key), { force: true }));
  }

  async ping(): Promise<void> {
    await guard('ping', () => fs.access(this.root, fs.constants.W_OK));
  }

  /** For /health's available_space. */
  async capacity(): Promise<{ freeBytes: number; totalBytes: number }> {
    const stats = await guard('statfs', () => fs.statfs(this.root));
    return { freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
  }

  async begin(key: string): Promise<{ uploadId: string }> {
    assertSafeKey(key);
    const uploadId = newUploadId();
    await guard('begin', () => fs.mkdir(this.uploadDir(uploadId), { recursive: true }));
    return { uploadId };
  }

  async putChunk(_key: string, uploadId: string, index: number, body: Buffer): Promise<void> {
    assertChunkIndex(index);
    const dir = this.uploadDir(uploadId);
    if (!(await this.stat(dir))) throw new FileNotFound('No such chunked upload');
    await this.writeAtomically(path.join(dir, chunkName(index)), Readable.from([body]));
  }

  async complete(key: string, uploadId: string, count: number): Promise<{ size: number }> {
    const target = this.pathOf(key);
    const dir = this.uploadDir(uploadId);
    const parts = Array.from({ length: count }, (_, i) => path.join(dir, chunkName(i)));
    for (const [i, part] of parts.entries()) {
      if (!(await this.stat(part))) throw new FileNotFound(`Chunk ${i} was never received`, { missing_chunk: i });
    }
    // Streamed part after part: assembling never holds more than one read buffer in memory.
    const size = await this.writeAtomically(target, Readable.from(concatFiles(parts)));
    await fs.rm(dir, { recursive: true, force: true });
    return size;
  }

  async abort(_key: string, uploadId: string): Promise<void> {
    await guard('abort', () => fs.rm(this.uploadDir(uploadId), { recursive: true, force: true }));
  }

  private async writeAtomically(target: string, body: Readable): Promise<{ size: number }> {
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${newUploadId()}.partial`);
    const counter = new ByteCounter();
    try {
      await fs.mkdir(path.dirname(target), { recursive: true });
      await pipeline(body, counter, createWriteStream(temp, { flags: 'wx', highWaterMark: WRITE_BUFFER_BYTES }));
      await fs.rename(temp, target);
      return { size: counter.bytes };
    } catch (error) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      throw translate('put', error);
    }
  }

  private pathOf(key: string): string {
    assertSafeKey(key);
    const resolved = path.resolve(this.root, key);
    // Belt and braces: even a key that passed the syntax check must land inside the root.
    if (!resolved.startsWith(path.resolve(this.root) + path.sep)) throw new Error('Invalid object key');
    return resolved;
  }

  private uploadDir(uploadId: string): string {
    assertUploadId(uploadId);
    return path.join(this.root, UPLOADS_DIR, uploadId);
  }

  private async stat(file: string): Promise<import('node:fs').Stats | null> {
    try {
      return await fs.stat(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw translate('stat', error);
    }
  }
}

async function* concatFiles(files: string[]): AsyncGenerator<Buffer> {
  for (const file of files) yield* createReadStream(file);
}

/** A stream that failed on its own is the caller's error, not the disk's; a file system error is a 503. */
function translate(operation: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code) && (error as NodeJS.ErrnoException).syscall) return backendError('local_disk', operation, error);
  return error;
}

const guard = guardWith(translate);
