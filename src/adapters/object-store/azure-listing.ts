import type { BlobItem, ContainerClient } from '@azure/storage-blob';
import type { ListedObject } from '../../application/ports/object-lister.port';
import type { StagedLeftover } from '../../application/ports/staging-leftovers.port';
import { assertSafeKey } from './object-key';
import { guardWith, type StorageErrorTranslator } from './storage-errors';

/** What AzureBlobObjectStore's leftovers name: a blob holding only uncommitted blocks, or a readable copy under `.staging/`. */
type Ref = { blocks: string } | { copy: string };

/** AzureBlockStaging's block ids: the upload id, a dash, the offset on 15 digits (base64). */
const BLOCK_ID = /^([a-f0-9]{32})-\d{15}$/;

/**
 * Listing of an Azure container for the orphan sweep: committed blobs at valid keys, and what
 * unfinished writes left (blobs with uncommitted blocks only, whether a resumable upload's or a cut
 * put's, and the readable copies under `.staging/<upload id>/`).
 */
export class AzureListing {
  private readonly guard: ReturnType<typeof guardWith>;

  constructor(
    private readonly container: ContainerClient,
    translate: StorageErrorTranslator,
  ) {
    this.guard = guardWith(translate);
  }

  async *objects(prefix?: string): AsyncGenerator<ListedObject> {
    for await (const item of this.blobs({ prefix })) {
      if (isHidden(item.name)) continue;
      yield { key: item.name, size: item.properties.contentLength ?? 0, lastModified: item.properties.lastModified };
    }
  }

  async *leftovers(): AsyncGenerator<StagedLeftover> {
    for await (const item of this.blobs({ prefix: '.staging/' })) {
      const ref: Ref = { copy: item.name };
      const tag = item.name.split('/')[1] ?? '';
      yield { ref: JSON.stringify(ref), kind: 'staged_upload', uploadTag: /^[a-f0-9]{32}$/.test(tag) ? tag : null, size: item.properties.contentLength ?? 0, lastModified: item.properties.lastModified };
    }
    // Both listings come in name order: a name the second lacks has no committed blob.
    const committed = this.blobs({})[Symbol.asyncIterator]();
    let next = await committed.next();
    for await (const item of this.blobs({ includeUncommitedBlobs: true })) {
      while (!next.done && next.value.name < item.name) next = await committed.next();
      if (!next.done && next.value.name === item.name) continue;
      if (isHidden(item.name)) continue;
      const blocks = await this.guard('list blocks', () => this.container.getBlockBlobClient(item.name).getBlockList('uncommitted')).catch(() => null);
      if (!blocks) continue;
      const tags = new Set((blocks.uncommittedBlocks ?? []).map((b) => BLOCK_ID.exec(Buffer.from(b.name, 'base64').toString())?.[1] ?? null));
      const size = (blocks.uncommittedBlocks ?? []).reduce((n, b) => n + b.size, 0);
      const ref: Ref = { blocks: item.name };
      // Blocks of one upload carry its tag; a cut put's (the SDK's own block ids) carry none.
      const uploadTag = tags.size === 1 ? [...tags][0]! : null;
      yield { ref: JSON.stringify(ref), kind: uploadTag ? 'staged_upload' : 'partial_write', uploadTag, size, lastModified: item.properties.lastModified };
    }
  }

  async remove(leftover: StagedLeftover): Promise<void> {
    const ref = JSON.parse(leftover.ref) as Ref;
    if ('copy' in ref) {
      if (!ref.copy.startsWith('.staging/') || ref.copy.split('/').some((s) => s === '..')) throw new Error('Not a leftover of this store');
      await this.guard('delete staged', () => this.container.getBlockBlobClient(ref.copy).deleteIfExists());
      return;
    }
    assertSafeKey(ref.blocks);
    const blob = this.container.getBlockBlobClient(ref.blocks);
    // Azure has no call that drops uncommitted blocks: committing an empty list does, where no committed blob would be emptied.
    if (await this.guard('remove leftover', () => blob.exists())) return;
    await this.guard('remove leftover', async () => {
      await blob.commitBlockList([]);
      await blob.deleteIfExists();
    });
  }

  private async *blobs(options: { prefix?: string; includeUncommitedBlobs?: boolean }): AsyncGenerator<BlobItem> {
    const pages = this.container.listBlobsFlat({ prefix: options.prefix || undefined, includeUncommitedBlobs: options.includeUncommitedBlobs }).byPage({ maxPageSize: 1000 });
    for (;;) {
      const page = await this.guard('list', () => pages.next());
      if (page.done) return;
      yield* page.value.segment.blobItems;
    }
  }
}

function isHidden(name: string): boolean {
  return name.split('/').some((segment) => segment === '' || segment.startsWith('.'));
}
