import type { Readable } from 'node:stream';
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
  /** Renditions produced at once by this process (RENDER_CONCURRENCY). */
  concurrency: number;
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
  private readonly inFlight = new Map<string, Promise<{ rendition: Rendition; produced: boolean }>>();
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly cache: RenditionCache,
    private readonly drawer: DrawRendition,
    private readonly engines: Pick<RenderEngines, 'media' | 'pages'>,
    private readonly locks: ProductionLocks,
    private readonly rate: RateLimitCounter | null,
    private readonly settings: RenderFileSettings,
  ) {}

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
      const { rendition, produced } = await this.obtain(file, source, spec, format, key, input.callerKey);
      if (input.headOnly) return { kind: 'rendition', etag, variesByAccept, mimeType: renditionMimeType(format), size: rendition.sizeBytes, body: null, produced };
      try {
        const body = await this.cache.open(rendition);
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

  private async obtain(file: StoredFile, source: RenderSource, spec: RenditionSpec, format: RenditionFormat, key: string, callerKey: string) {
    const cached = await this.cache.find(file.id, key);
    if (cached) return { rendition: cached, produced: false };
    const flightKey = `${file.id}:${key}`;
    const joined = this.inFlight.get(flightKey);
    // Whoever joins a production in flight gets its rendition, not the credit for producing it.
    if (joined) return { rendition: (await joined).rendition, produced: false };
    const flight = this.produce(file, source, spec, format, key, callerKey).finally(() => this.inFlight.delete(flightKey));
    this.inFlight.set(flightKey, flight);
    return flight;
  }

  private async produce(file: StoredFile, source: RenderSource, spec: RenditionSpec, format: RenditionFormat, key: string, callerKey: string) {
    await this.countNew(callerKey);
    await this.slot();
    try {
      return await this.locks.exclusively(`rendition:${file.id}:${key}`, async () => {
        // Another process may have produced it while this one waited for the lock.
        const done = await this.cache.find(file.id, key);
        if (done) return { rendition: done, produced: false };
        const image = await this.drawer.draw(file, source, spec, format);
        return { rendition: await this.cache.store(file, key, canonicalParameters(spec, format), format, image), produced: true };
      });
    } finally {
      this.release();
    }
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

  private async slot(): Promise<void> {
    if (this.running < this.settings.concurrency) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
