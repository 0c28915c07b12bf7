import { Readable } from 'node:stream';
import { RestError, type ContainerClient } from '@azure/storage-blob';
import type { ByteRange } from '../../application/ports/object-store.port';
import type { StagedWrite, StagingPlan, UploadStaging } from '../../application/ports/upload-staging.port';
import { FileNotFound } from '../../domain/storage/errors';
import { BodyReader } from './body-reader';
import { assertSafeKey, assertUploadId, newUploadId } from './object-key';
import { guardWith, type StorageErrorTranslator } from './storage-errors';

/** Blocks of at most 4 MiB, two staged at a time while the next fills: at most 12 MiB held per write. */
const BLOCK_BYTES = 4 * 1024 * 1024;
const IN_FLIGHT = 2;

/**
 * Resumable uploads as uncommitted blocks of the target blob, each named by the upload and the offset
 * it starts at, so a block written again (a retried chunk or append) replaces the one there. Complete
 * follows the blocks from offset 0 to the size and commits that list: Azure assembles the blob, no
 * byte goes through the service again, and nothing is kept between requests but the blocks
 * themselves. Ranges the caller will read back are also written to a small blob of their own, as
 * uncommitted blocks cannot be read.
 */
export class AzureBlockStaging implements UploadStaging {
  private readonly guard: ReturnType<typeof guardWith>;

  constructor(
    private readonly container: ContainerClient,
    private readonly ready: () => Promise<void>,
    translate: StorageErrorTranslator,
  ) {
    this.guard = guardWith(translate);
  }

  async begin(key: string, _contentType: string, _plan: StagingPlan): Promise<{ uploadId: string }> {
    assertSafeKey(key);
    await this.ready();
    return { uploadId: newUploadId() };
  }

  async write(key: string, uploadId: string, offset: number, body: AsyncIterable<Buffer>, options: StagedWrite = {}): Promise<{ bytes: number }> {
    assertSafeKey(key);
    assertUploadId(uploadId);
    const blob = this.container.getBlockBlobClient(key);
    const copy = options.readBack ? this.container.getBlockBlobClient(copyName(uploadId, offset)) : null;
    const copyIds: string[] = [];
    const reader = new BodyReader(body);
    const staging = new Set<Promise<unknown>>();
    let cursor = offset;
    try {
      for (;;) {
        const block = await reader.take(BLOCK_BYTES);
        if (block.length === 0) break;
        const copyId = Buffer.from(String(copyIds.length).padStart(6, '0')).toString('base64');
        if (copy) copyIds.push(copyId);
        const staged = Promise.all([
          this.guard('stage block', () => blob.stageBlock(blockId(uploadId, cursor), block, block.length)),
          copy ? this.guard('stage block', () => copy.stageBlock(copyId, block, block.length)) : undefined,
        ]);
        cursor += block.length;
        staging.add(staged);
        void staged.then(() => staging.delete(staged), () => undefined);
        if (staging.size >= IN_FLIGHT) await Promise.race(staging);
      }
      await Promise.all(staging);
      if (copy && copyIds.length > 0) await this.guard('stage copy', () => copy.commitBlockList(copyIds));
      return { bytes: cursor - offset };
    } catch (error) {
      await Promise.allSettled(staging);
      throw reader.failure ?? error;
    }
  }

  async read(key: string, uploadId: string, range: ByteRange): Promise<Readable> {
    assertSafeKey(key);
    assertUploadId(uploadId);
    const copies: Array<{ name: string; start: number; end: number }> = [];
    for await (const item of this.container.listBlobsFlat({ prefix: copyPrefix(uploadId) })) {
      const start = Number(item.name.slice(copyPrefix(uploadId).length));
      copies.push({ name: item.name, start, end: start + (item.properties.contentLength ?? 0) });
    }
    const slices: Array<{ name: string; from: number; count: number }> = [];
    for (let cursor = range.start; cursor <= range.end; ) {
      const holding = copies.find((c) => c.start <= cursor && cursor < c.end);
      if (!holding) throw new FileNotFound('Those bytes were not kept readable', { start: range.start, end: range.end });
      const to = Math.min(holding.end, range.end + 1);
      slices.push({ name: holding.name, from: cursor - holding.start, count: to - cursor });
      cursor = to;
    }
    const download = async (s: (typeof slices)[number]) =>
      (await this.guard('read staged', () => this.container.getBlockBlobClient(s.name).download(s.from, s.count))).readableStreamBody as Readable;
    return Readable.from(
      (async function* () {
        for (const slice of slices) yield* await download(slice);
      })(),
    );
  }

  async complete(key: string, uploadId: string, sizeBytes: number, contentType: string): Promise<{ size: number }> {
    assertSafeKey(key);
    assertUploadId(uploadId);
    const blob = this.container.getBlockBlobClient(key);
    const ids = sizeBytes === 0 ? [] : await this.chain(key, uploadId, sizeBytes);
    await this.guard('commit blocks', () => blob.commitBlockList(ids, { blobHTTPHeaders: { blobContentType: contentType } }));
    await this.deleteCopies(uploadId);
    return { size: sizeBytes };
  }

  /**
   * Azure has no call that drops uncommitted blocks (they expire after 7 days). Committing an empty
   * list does drop them, but also empties a committed blob, so it is done only where none exists yet.
   */
  async abort(key: string, uploadId: string): Promise<void> {
    assertSafeKey(key);
    assertUploadId(uploadId);
    const blob = this.container.getBlockBlobClient(key);
    if (!(await this.guard('abort', () => blob.exists()))) {
      await this.guard('abort', async () => {
        await blob.commitBlockList([]);
        await blob.deleteIfExists();
      });
    }
    await this.deleteCopies(uploadId);
  }

  /**
   * The blocks from offset 0 to `size`, each starting where the one before ends. A block left by a
   * write whose offset was never committed is either replaced (same offset) or off the chain.
   */
  private async chain(key: string, uploadId: string, size: number): Promise<string[]> {
    const blob = this.container.getBlockBlobClient(key);
    const listed = await blob.getBlockList('uncommitted').catch((error: unknown) => {
      if (error instanceof RestError && error.statusCode === 404) return { uncommittedBlocks: [] };
      throw error;
    });
    const byOffset = new Map<number, { name: string; size: number }>();
    for (const block of listed.uncommittedBlocks ?? []) {
      const offset = offsetOf(uploadId, block.name);
      if (offset !== null) byOffset.set(offset, block);
    }
    const ids: string[] = [];
    let cursor = 0;
    while (cursor < size) {
      const block = byOffset.get(cursor);
      if (!block || cursor + block.size > size) throw new FileNotFound(`Bytes from ${cursor} on were never written`, { start: cursor });
      ids.push(block.name);
      cursor += block.size;
    }
    return ids;
  }

  private async deleteCopies(uploadId: string): Promise<void> {
    for await (const item of this.container.listBlobsFlat({ prefix: copyPrefix(uploadId) })) {
      await this.guard('delete staged', () => this.container.getBlockBlobClient(item.name).deleteIfExists());
    }
  }
}

/** One length for every block of a blob, as Azure requires: upload id, then the offset on 15 digits. */
function blockId(uploadId: string, offset: number): string {
  return Buffer.from(`${uploadId}-${String(offset).padStart(15, '0')}`).toString('base64');
}

function offsetOf(uploadId: string, id: string): number | null {
  const match = /^([a-f0-9]{32})-(\d{15})$/.exec(Buffer.from(id, 'base64').toString());
  return match && match[1] === uploadId ? Number(match[2]) : null;
}

/** Readable copies live under a dot-prefix no valid key reaches. */
function copyPrefix(uploadId: string): string {
  return `.staging/${uploadId}/`;
}

function copyName(uploadId: string, offset: number): string {
  return `${copyPrefix(uploadId)}${String(offset).padStart(15, '0')}`;
}
