import { Readable } from 'node:stream';
import { renditionMimeType, type RenditionFormat } from '../../../domain/storage/rendition';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { Clock } from '../../ports/clock.port';
import type { Logger } from '../../ports/logger.port';
import type { ObjectStore } from '../../ports/object-store.port';
import type { LockedRenditions, Rendition, RenditionRepository } from '../../ports/rendition-repository.port';
import type { FileContent } from '../encryption/file-content';

export interface RenditionCacheOptions {
  /** RENDER_CACHE_MAX_BYTES: past it, the least recently used renditions are evicted. */
  maxBytes: number;
}

/** A hit refreshes its LRU position at most this often: a hot rendition costs no write per request. */
const TOUCH_EVERY_MS = 60_000;
const EVICT_BATCH = 50;
/**
 * The cache's size is summed (a `SUM` over file_renditions) at most once per this many productions of
 * this process, or as soon as its running estimate (the last sum, plus what it stored since, minus what
 * it removed) passes the bound. Other processes' productions are seen at the next sum: the cache may
 * pass its bound by up to this many renditions per process before being brought back under it.
 */
const SUM_EVERY_PRODUCTIONS = 32;
/** Renditions remembered by this process (a few hundred bytes each), least recently used forgotten first. */
const KNOWN_RENDITIONS = 10_000;

function memoId(fileId: string, key: string): string {
  return `${fileId}/${key}`;
}

/**
 * Renditions as a bounded cache beside the files (not in their owners' quota: they are derived and
 * can be produced again): objects under renditions/{file}/{key}.{ext} in the primary store, written
 * encrypted when files are, indexed in file_renditions, least recently used evicted first.
 */
export class RenditionCache {
  private evicting: Promise<void> | null = null;
  private readonly known = new Map<string, Rendition>();
  /** The cache's bytes as this process last summed them, plus its own stores and removals since; null: never summed. */
  private estimate: number | null = null;
  private storedSinceSum = 0;

  constructor(
    private readonly renditions: RenditionRepository,
    private readonly objects: ObjectStore,
    private readonly content: FileContent | null,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: RenditionCacheOptions,
  ) {}

  /** `index`: where to look it up when this process has not seen it (a production's lock, or the repository). */
  async find(fileId: string, key: string, index: Pick<LockedRenditions, 'find'> = this.renditions): Promise<Rendition | null> {
    const id = memoId(fileId, key);
    const known = this.known.get(id);
    const found = known ?? (await index.find(fileId, key));
    if (!found) return null;
    const now = this.clock.now();
    let current = found;
    if (now.getTime() - found.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
      void this.renditions.touch(fileId, key, now).catch(() => undefined);
      current = { ...found, lastUsedAt: now };
    }
    this.remember(id, current);
    return current;
  }

  /**
   * A rendition never changes (its key hashes the source's content and the parameters), so a hit
   * needs no lookup once seen. One that goes (evicted, its file trashed) is forgotten here when this
   * process removes it; removed by another process, its object is missing at the read, and the
   * render drops it and produces it again.
   */
  private remember(id: string, rendition: Rendition): void {
    this.known.delete(id);
    this.known.set(id, rendition);
    if (this.known.size > KNOWN_RENDITIONS) this.known.delete(this.known.keys().next().value as string);
  }

  /**
   * Writes the object, then records its row through `index` (a production's lock: the row is kept with
   * the lock's release). A row that cannot be recorded takes its object with it; so must the caller's
   * `abandon` if `index` fails to keep the row afterwards, and its `kept` once it has.
   */
  async store(
    file: StoredFile, key: string, parameters: string, format: RenditionFormat, image: { data: Buffer; width: number; height: number },
    index: Pick<LockedRenditions, 'save'> = this.renditions,
  ): Promise<Rendition> {
    const extension = format === 'jpeg' ? 'jpg' : format;
    const objectKey = `renditions/${file.id}/${key}.${extension}`;
    const contentType = renditionMimeType(format);
    const written = this.content
      ? await this.content.write(objectKey, Readable.from([image.data]), contentType)
      : { ...(await this.objects.put(objectKey, Readable.from([image.data]), { contentType })), encryption: null };
    const now = this.clock.now();
    const rendition: Rendition = {
      fileId: file.id, key, parameters, format, objectKey, sizeBytes: image.data.length, width: image.width, height: image.height,
      encryption: written.encryption, createdAt: now, lastUsedAt: now,
    };
    try {
      await index.save(rendition);
    } catch (error) {
      // The file went away meanwhile (its row, and so this one's foreign key): nothing may stay behind.
      await this.objects.delete(objectKey).catch(() => undefined);
      throw error;
    }
    // Counted towards the bound by `kept`, once the row is (the eviction's sum sees committed rows only).
    if (index === this.renditions) this.kept(rendition);
    return rendition;
  }

  /** The rendition's bytes (decrypted when stored encrypted). */
  async open(rendition: Rendition): Promise<Readable> {
    if (this.content) return this.content.read({ id: rendition.fileId, filePath: rendition.objectKey, sizeBytes: rendition.sizeBytes, encryption: rendition.encryption });
    return this.objects.get(rendition.objectKey);
  }

  /** A rendition stored whose row was not kept after all (its production's commit failed): its object goes. */
  async abandon(rendition: Rendition): Promise<void> {
    this.known.delete(memoId(rendition.fileId, rendition.key));
    await this.objects.delete(rendition.objectKey);
  }

  /** Drops a rendition whose object is gone (evicted by another process between its lookup and its read). */
  async drop(rendition: Rendition): Promise<void> {
    this.known.delete(memoId(rendition.fileId, rendition.key));
    await this.renditions.remove(rendition.fileId, rendition.key);
    if (this.estimate !== null) this.estimate = Math.max(0, this.estimate - rendition.sizeBytes);
  }

  /** Every rendition of the file: objects first, then rows (a failed delete leaves the row to retry). */
  async forgetFile(fileId: string): Promise<number> {
    const all = await this.renditions.ofFile(fileId);
    for (const r of all) await this.removeOne(r);
    return all.length;
  }

  /** Evicts until the cache fits RENDER_CACHE_MAX_BYTES; one eviction at a time per process. */
  async evict(): Promise<void> {
    this.storedSinceSum = 0;
    // Removals below lower the estimate as they go; stores meanwhile raise it: it starts from the sum.
    this.estimate = await this.renditions.totalBytes();
    while (this.estimate > this.options.maxBytes) {
      const oldest = await this.renditions.leastRecentlyUsed(EVICT_BATCH);
      if (oldest.length === 0) return;
      for (const r of oldest) {
        if (this.estimate <= this.options.maxBytes) return;
        await this.removeOne(r);
      }
    }
  }

  /**
   * A rendition stored and its row kept (for a production under a lock, once the lock is released):
   * the cache is summed again, and evicted, past its bound or every SUM_EVERY_PRODUCTIONS.
   */
  kept(rendition: Rendition): void {
    this.storedSinceSum += 1;
    if (this.estimate !== null) this.estimate += rendition.sizeBytes;
    if (this.estimate === null || this.estimate > this.options.maxBytes || this.storedSinceSum >= SUM_EVERY_PRODUCTIONS) this.evictSoon();
  }

  private evictSoon(): void {
    if (this.evicting) return;
    this.evicting = this.evict()
      .catch((error: unknown) => this.logger.warn({ err: { message: (error as Error).message } }, 'rendition cache eviction failed'))
      .finally(() => {
        this.evicting = null;
      });
  }

  /** Settles once a running eviction has (tests, shutdown). */
  async idle(): Promise<void> {
    await this.evicting;
  }

  private async removeOne(r: Rendition): Promise<void> {
    this.known.delete(memoId(r.fileId, r.key));
    await this.objects.delete(r.objectKey);
    await this.renditions.remove(r.fileId, r.key);
    if (this.estimate !== null) this.estimate = Math.max(0, this.estimate - r.sizeBytes);
  }
}
