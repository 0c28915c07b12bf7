import { createWriteStream } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ListedObject, ObjectLister } from '../../application/ports/object-lister.port';
import type { ByteRange, ObjectInfo, ObjectStore } from '../../application/ports/object-store.port';
import type { StagedLeftover, StagingLeftovers } from '../../application/ports/staging-leftovers.port';
import type { StagingPlan, UploadStaging } from '../../application/ports/upload-staging.port';
import { FileNotFound, InsufficientStorage, RangeNotSatisfiable } from '../../domain/storage/errors';
import { LocalDiskListing } from './local-disk-listing';
import { localFileBody } from './local-file-body';
import { ByteCounter, assertSafeKey, assertUploadId, newUploadId } from './object-key';
import { backendError, guardWith } from './storage-errors';

/** Staged files of resumable uploads, under a dot-folder that no valid key can reach. */
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
export class LocalDiskObjectStore implements ObjectStore, UploadStaging, ObjectLister, StagingLeftovers {
  readonly provider = 'local_disk';
  private readonly listing: LocalDiskListing;

  constructor(readonly root: string) {
    this.listing = new LocalDiskListing(root, UPLOADS_DIR);
  }

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

  /** One staged file per upload, written in place at each offset; completing it is a rename. */
  async begin(key: string, _contentType?: string, _plan?: StagingPlan): Promise<{ uploadId: string }> {
    assertSafeKey(key);
    const uploadId = newUploadId();
    await guard('begin', async () => (await fs.open(this.stagedFile(uploadId), 'wx')).close());
    return { uploadId };
  }

  async write(_key: string, uploadId: string, offset: number, body: AsyncIterable<Buffer>): Promise<{ bytes: number }> {
    const file = this.stagedFile(uploadId);
    const handle = await fs.open(file, 'r+').catch((error: unknown) => {
      throw (error as NodeJS.ErrnoException).code === 'ENOENT' ? new FileNotFound('No such staged upload') : translate('write', error);
    });
    try {
      const bytes = await writeAt(handle, offset, body);
      // The caller commits the new offset once this resolves: the bytes must survive a crash first.
      await handle.datasync();
      return { bytes };
    } catch (error) {
      throw translate('write', error);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  async read(_key: string, uploadId: string, range: ByteRange): Promise<Readable> {
    const file = this.stagedFile(uploadId);
    if (!(await this.stat(file))) throw new FileNotFound('No such staged upload');
    return localFileBody(file, range, READ_BUFFER_BYTES);
  }

  async complete(key: string, uploadId: string, sizeBytes: number): Promise<{ size: number }> {
    const target = this.pathOf(key);
    const file = this.stagedFile(uploadId);
    const stats = await this.stat(file);
    if (!stats) throw new FileNotFound('No such staged upload');
    await guard('complete', async () => {
      // A write cut short by a crash may have left bytes past the end: they are not the file's.
      if (stats.size > sizeBytes) await fs.truncate(file, sizeBytes);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.rename(file, target);
    });
    return { size: Math.min(stats.size, sizeBytes) };
  }

  async abort(_key: string, uploadId: string): Promise<void> {
    await guard('abort', () => fs.rm(this.stagedFile(uploadId), { recursive: true, force: true }));
  }

  list(prefix?: string): AsyncIterable<ListedObject> {
    return this.listing.objects(prefix);
  }

  /** Staged files of resumable uploads, and the `.partial` temporaries of puts a crash cut short. */
  leftovers(): AsyncIterable<StagedLeftover> {
    return this.listing.leftovers();
  }

  uploadTagOf(uploadId: string): string {
    return uploadId;
  }

  async removeLeftover(leftover: StagedLeftover): Promise<void> {
    await guard('remove leftover', () => this.listing.remove(leftover.ref));
  }

  private async writeAtomically(target: string, body: Readable): Promise<{ size: number }> {
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${newUploadId()}.partial`);
    const counter = new ByteCounter();
    let file: ReturnType<typeof createWriteStream> | null = null;
    try {
      await fs.mkdir(path.dirname(target), { recursive: true });
      file = createWriteStream(temp, { flags: 'wx', highWaterMark: WRITE_BUFFER_BYTES });
      await pipeline(body, counter, file);
      await fs.rename(temp, target);
      return { size: counter.bytes };
    } catch (error) {
      // pipeline rejects on the body's failure before the file stream has closed: an open still in
      // flight would create the temporary file after the rm below, left behind for good.
      const pending = file;
      if (pending && !pending.closed) {
        await new Promise<void>((resolve) => {
          pending.once('close', () => resolve());
          pending.destroy();
        });
      }
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

  /** Under the root, so completing is a rename within one file system. */
  private stagedFile(uploadId: string): string {
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

/**
 * Positional writes of `body` from `offset`: one write in flight while the next parts gather (up to
 * WRITE_BUFFER_BYTES, then written as one writev), so the disk and the source overlap without the
 * body piling up in memory.
 */
async function writeAt(handle: FileHandle, offset: number, body: AsyncIterable<Buffer>): Promise<number> {
  let position = offset;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let inFlight: Promise<unknown> = Promise.resolve();
  const flush = async () => {
    await inFlight;
    const parts = pending;
    const at = position;
    position += pendingBytes;
    pending = [];
    pendingBytes = 0;
    inFlight = writeAll(handle, parts, at);
    // Awaited by the next flush or at the end; meanwhile a failure must not count as unhandled.
    inFlight.catch(() => undefined);
  };
  for await (const part of body) {
    pending.push(part);
    pendingBytes += part.length;
    if (pendingBytes >= WRITE_BUFFER_BYTES) await flush();
  }
  if (pendingBytes > 0) await flush();
  await inFlight;
  return position - offset;
}

/** The parts as they came (no copy into one buffer); a short writev is finished with plain writes. */
async function writeAll(handle: FileHandle, parts: Buffer[], at: number): Promise<void> {
  const total = parts.reduce((n, part) => n + part.length, 0);
  const { bytesWritten } = await handle.writev(parts, at);
  if (bytesWritten === total) return;
  let remaining = Buffer.concat(parts).subarray(bytesWritten);
  let position = at + bytesWritten;
  while (remaining.length > 0) {
    const written = (await handle.write(remaining, 0, remaining.length, position)).bytesWritten;
    remaining = remaining.subarray(written);
    position += written;
  }
}

/** A file system that is full: the 507 of 002, not a provider failure. */
const FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

/** A stream that failed on its own is the caller's error, not the disk's; a full disk is a 507, any other file system error a 503. */
function translate(operation: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && FULL_CODES.has(code) && (error as NodeJS.ErrnoException).syscall) {
    const full = new InsufficientStorage('The storage is full: nothing of this write was kept', { provider: 'local_disk' });
    Object.defineProperty(full, 'cause', { value: error, enumerable: false });
    return full;
  }
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code) && (error as NodeJS.ErrnoException).syscall) return backendError('local_disk', operation, error);
  return error;
}

const guard = guardWith(translate);
