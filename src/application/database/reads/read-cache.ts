import type { RowScope } from '../../../domain/database/row-scope';
import { readCacheKey } from '../../../domain/database/read-cache-key';
import type { CacheInvalidator } from '../../ports/cache-invalidator.port';
import type { CacheObserver } from '../../ports/cache-observer.port';
import type { Logger } from '../../ports/logger.port';
import type { PendingInvalidations } from '../../ports/pending-invalidations.port';
import type { QueryCache } from '../../ports/query-cache.port';

export type CacheStatus = 'hit' | 'miss' | 'bypass';

export interface CachedReadRequest {
  /** What is read, in a normalized form: equal requests must give equal values. */
  what: unknown;
  scope: RowScope;
  /** Every table the answer depends on; a write to any of them makes the cached answer unreachable. */
  tables: readonly string[];
  /** The caller asked to skip the cache. */
  bypass?: boolean;
}

/** How an answer is kept in the cache, as text. */
export interface StoredForm<T> {
  encode(value: T): string;
  decode(text: string): T;
}

/** JSON: for any JSON-serializable answer. */
const asJson = <T>(): StoredForm<T> => ({ encode: (value) => JSON.stringify(value), decode: (text) => JSON.parse(text) as T });

const AS_TEXT: StoredForm<string> = { encode: (text) => text, decode: (text) => text };

export interface ReadCacheOptions {
  ttlSeconds: number;
  /** How often, while the cache is off, to ask whether it may come back. */
  recheckMs?: number;
  now?: () => number;
}

/**
 * The read-through cache of the seed's read diagram, keyed by generations (see readCacheKey), and the
 * CacheInvalidator writes call after they commit. It starts off, and goes off after any store error:
 * while off, reads go to PostgreSQL ("bypass"). It comes back only once no committed write still owes
 * an invalidation (checked at most once per recheckMs), so an entry made stale while the store was
 * unreachable is never served. Starting off covers invalidations left pending by an instance that died.
 */
export class ReadCache implements CacheInvalidator {
  private off = true;
  private lastCheck = Number.NEGATIVE_INFINITY;
  private checking: Promise<boolean> | null = null;
  private readonly recheckMs: number;
  private readonly now: () => number;

  constructor(
    private readonly cache: QueryCache,
    private readonly observer: CacheObserver,
    private readonly pending: PendingInvalidations | null,
    private readonly logger: Logger,
    private readonly options: ReadCacheOptions,
  ) {
    this.recheckMs = options.recheckMs ?? 1_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * The answer from the cache, or from `load` (then stored). Stored as JSON unless a form is given:
   * a caller whose answer holds text meant to be sent on as is (rows already serialized) gives its
   * own, so a hit never parses and re-serializes that text.
   */
  async read<T>(request: CachedReadRequest, load: () => Promise<T>, form: StoredForm<T> = asJson()): Promise<{ value: T; cache: CacheStatus }> {
    return this.through(request, load, form);
  }

  /** As `read`, for answers already in their stored form: a hit is the stored text as is. */
  async readText(request: CachedReadRequest, load: () => Promise<string>): Promise<{ value: string; cache: CacheStatus }> {
    return this.through(request, load, AS_TEXT);
  }

  private async through<T>(request: CachedReadRequest, load: () => Promise<T>, { encode, decode }: StoredForm<T>): Promise<{ value: T; cache: CacheStatus }> {
    if (request.bypass || !(await this.usable())) return { value: await load(), cache: 'bypass' };
    const key = readCacheKey(request.what, request.scope);
    let generations: number[];
    try {
      const found = await this.cache.lookup(key, request.tables);
      if (found.value !== null) {
        this.observer.hit('query');
        return { value: decode(found.value), cache: 'hit' };
      }
      generations = found.generations;
    } catch (error) {
      this.lost(error);
      return { value: await load(), cache: 'bypass' };
    }
    this.observer.miss('query');
    const value = await load();
    try {
      // Stamped with the generations seen before loading: a write committed meanwhile has bumped
      // them, so this entry would simply never match, rather than serve rows older than that write.
      await this.cache.store(key, generations, encode(value), this.options.ttlSeconds);
    } catch (error) {
      this.lost(error);
      return { value, cache: 'bypass' };
    }
    return { value, cache: 'miss' };
  }

  /** Throws when the store cannot be told, so the caller keeps the invalidation pending. */
  async invalidate(tables: readonly string[]): Promise<void> {
    if (tables.length === 0) return;
    try {
      await this.cache.bump(tables);
    } catch (error) {
      this.lost(error);
      throw error;
    }
  }

  private lost(error: unknown): void {
    if (!this.off) this.logger.warn({ err: { message: (error as Error)?.message } }, 'read cache unavailable; serving reads from PostgreSQL');
    this.off = true;
    this.lastCheck = this.now();
  }

  private async usable(): Promise<boolean> {
    if (!this.off) return true;
    if (this.now() - this.lastCheck < this.recheckMs) return false;
    this.checking ??= this.recheck().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private async recheck(): Promise<boolean> {
    this.lastCheck = this.now();
    try {
      // Until the outbox's PendingInvalidations is bound, nothing can be pending.
      if (this.pending && !(await this.pending.none())) return false;
    } catch {
      return false;
    }
    this.off = false;
    return true;
  }
}
