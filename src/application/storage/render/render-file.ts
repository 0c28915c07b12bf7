import { Readable } from 'node:stream';
import { entityTag, noneMatchHits } from '../../../domain/storage/byte-range';
import { FileNotFound } from '../../../domain/storage/errors';
import { ValidationFailed } from '../../../domain/shared/errors';
import {
  canonicalParameters, negotiateFormat, normalizeRendition, renditionKey, renditionMimeType, sourceRenditionFormat,
  type RenderLimits, type RenderRequest, type RenditionFormat, type RenditionSpec,
} from '../../../domain/storage/rendition';
import { RenditionRateExceeded } from '../../../domain/storage/rendition-errors';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { RateLimitCounter } from '../../ports/rate-limit-counter.port';
import type { ProductionLocks, Rendition } from '../../ports/rendition-repository.port';
import type { DrawRendition, RenderEngines, RenderSource } from './draw-rendition';
import { renderSourceOf } from './draw-rendition';
import type { RenditionCache } from './rendition-cache';

export interface RenderFileSettings {
  limits: RenderLimits;
  /** New renditions per caller per minute (RENDER_NEW_PER_MINUTE); 0: no limit. */
  newPerMinute: number;
  /** Renditions drawn at once by this process (RENDER_CONCURRENCY): the decoding, resizing and encoding. */
  concurrency: number;
  /**
   * Productions under way at once in this process: each holds its lock (a database connection) while
   * it reads its source, waits for a drawing slot, draws and stores. Above `concurrency`, so that the
   * reads, lock round trips and writes of some overlap the drawing of others; at least `concurrency`.
   */
  productions: number;
}

export interface RenderInput {
  /** A file the caller may read (the route checked the token, or the CDN URL's signature). */
  file: StoredFile;
  request: RenderRequest;
  accept?: string;
  ifNoneMatch?: string;
  headOnly: boolean;
  /** Whose new renditions are counted: the user, or the client address of anonymous requests. */
  callerKey: string;
}

export type RenderOutcome =
  | { kind: 'not_modified'; etag: string; variesByAccept: boolean }
  | { kind: 'rendition'; etag: string; variesByAccept: boolean; mimeType: string; size: number; body: Readable | null; produced: boolean };

/**
 * GET /render and /cdn/render: a rendition of an image, a video frame or a PDF page, produced once per
 * (content, canonical parameters, format) and served from the cache after. Concurrent first requests
 * share one production: in this process through one promise, across processes through a lock taken
 * before producing (whoever waited finds the rendition done). The ETag is the rendition key, known
 * before anything is read, so a revalidation costs no storage access at all.
 */
export class RenderFile {
  private readonly inFlight = new Map<string, Promise<Obtained>>();
  private readonly productions: Slots;
  private readonly draws: Slots;

  constructor(
    private readonly cache: RenditionCache,
    private readonly drawer: DrawRendition,
    private readonly engines: Pick<RenderEngines, 'media' | 'pages'>,
    private readonly locks: ProductionLocks,
    private readonly rate: RateLimitCounter | null,
    private readonly settings: RenderFileSettings,
  ) {
    this.draws = new Slots(settings.concurrency);
    this.productions = new Slots(Math.max(settings.concurrency, settings.productions));
  }

  async execute(input: RenderInput): Promise<RenderOutcome> {
    const { file } = input;
    const source = renderSourceOf(file, this.engines);
    if (input.request.frame !== undefined && source !== 'video') {
      throw new ValidationFailed('query.frame applies to videos only', [{ path: 'query.frame', message: 'applies to videos only' }]);
    }
    const spec = normalizeRendition(input.request, this.settings.limits);
    if (source === 'video') spec.frame ??= 1;
    const format = this.formatOf(spec, source, file, input.accept);
    const key = renditionKey(file.checksumSha256, spec, format);
    const etag = entityTag(key);
    const variesByAccept = spec.format === 'auto';
    if (noneMatchHits(input.ifNoneMatch, etag)) return { kind: 'not_modified', etag, variesByAccept };

    for (let attempt = 0; ; attempt++) {
      const { rendition, produced, data } = await this.obtain(file, source, spec, format, key, input.callerKey);
      if (input.headOnly) return { kind: 'rendition', etag, variesByAccept, mimeType: renditionMimeType(format), size: rendition.sizeBytes, body: null, produced };
      try {
        // Just produced (here or in a production this request joined): answered from the bytes in hand, not read back.
        const body = data ? Readable.from([data], { objectMode: false }) : await this.cache.open(rendition);
        return { kind: 'rendition', etag, variesByAccept, mimeType: renditionMimeType(format), size: rendition.sizeBytes, body, produced };
      } catch (error) {
        // Evicted between its lookup and its read: produce it again, once.
        if (!(error instanceof FileNotFound) || attempt > 0) throw error;
        await this.cache.drop(rendition);
      }
    }
  }

  private formatOf(spec: RenditionSpec, source: RenderSource, file: StoredFile, accept: string | undefined): RenditionFormat {
    // A poster frame is a photograph (JPEG); a page is text and lines (PNG keeps them sharp).
    const own = source === 'image' ? sourceRenditionFormat(file.mimeType) : source === 'video' ? 'jpeg' : 'png';
    if (spec.format === 'auto') return negotiateFormat(accept, own);
    return spec.format === 'source' ? own : spec.format;
  }

  private async obtain(file: StoredFile, source: RenderSource, spec: RenditionSpec, format: RenditionFormat, key: string, callerKey: string): Promise<Obtained> {
    const cached = await this.cache.find(file.id, key);
    if (cached) return { rendition: cached, produced: false, data: null };
    const flightKey = `${file.id}:${key}`;
    const joined = this.inFlight.get(flightKey);
    // Whoever joins a production in flight gets its rendition, not the credit for producing it.
    if (joined) return { ...(await joined), produced: false };
    const flight = this.produce(file, source, spec, format, key, callerKey).finally(() => this.inFlight.delete(flightKey));
    this.inFlight.set(flightKey, flight);
    return flight;
  }

  private async produce(file: StoredFile, source: RenderSource, spec: RenditionSpec, format: RenditionFormat, key: string, callerKey: string): Promise<Obtained> {
    await this.countNew(callerKey);
    return this.productions.run(async () => {
      let stored: Rendition | null = null;
      try {
        // The lookup again and the row go through the lock's own connection and transaction.
        const obtained = await this.locks.exclusively(`rendition:${file.id}:${key}`, async (held): Promise<Obtained> => {
          // Another process may have produced it while this one waited for the lock.
          const done = await this.cache.find(file.id, key, held);
          if (done) return { rendition: done, produced: false, data: null };
          const image = await this.drawer.draw(file, source, spec, format, (work) => this.draws.run(work));
          stored = await this.cache.store(file, key, canonicalParameters(spec, format), format, image, held);
          return { rendition: stored, produced: true, data: image.data };
        });
        if (obtained.produced) this.cache.kept(obtained.rendition);
        return obtained;
      } catch (error) {
        // Stored, but its row not kept (the commit failed): no object may stay without its row.
        if (stored) await this.cache.abandon(stored).catch(() => undefined);
        throw error;
      }
    });
  }

  private async countNew(callerKey: string): Promise<void> {
    const limit = this.settings.newPerMinute;
    if (!this.rate || limit <= 0) return;
    const grant = await this.rate.reserve(`render-new:${callerKey}`, limit, 1, 60_000);
    if (grant.granted === 0) {
      const retryAfter = Math.max(1, Math.ceil((grant.resetAt - Date.now()) / 1000));
      throw new RenditionRateExceeded(`More than ${limit} new renditions a minute (RENDER_NEW_PER_MINUTE); cached renditions are not limited`, {
        retry_after: retryAfter, limit, window_seconds: 60,
      });
    }
  }

}

/** A rendition found or produced; `data`: its bytes when this process has just produced it. */
interface Obtained {
  rendition: Rendition;
  produced: boolean;
  data: Buffer | null;
}

/** At most `size` at once, the others waiting in arrival order. */
class Slots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.size) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
