import { effectMarker, type OutboxEntry, type OutboxOutcome } from '../../../domain/database/outbox-entry';
import type { CacheInvalidator } from '../../ports/cache-invalidator.port';
import type { Logger } from '../../ports/logger.port';
import type { RedisEffects } from '../../ports/redis-effects.port';

/**
 * Applies outbox entries strictly in the order given and stops at the first one that cannot be
 * applied now, so a later effect never overtakes an earlier one. Used by the request that committed
 * them and by the relay alike.
 */
export class OutboxDispatcher {
  private failing = false;

  constructor(
    private readonly redis: RedisEffects,
    /** Null until a read cache exists: nothing is cached, so nothing is to invalidate. */
    private readonly invalidator: CacheInvalidator | null,
    private readonly logger: Logger,
  ) {}

  /** The outcomes of the entries done, a prefix of `entries`. */
  async dispatch(entries: readonly OutboxEntry[]): Promise<OutboxOutcome[]> {
    const done: OutboxOutcome[] = [];
    try {
      let i = 0;
      while (i < entries.length) {
        const entry = entries[i] as OutboxEntry;
        if (entry.effect.kind === 'invalidate') {
          await this.invalidator?.invalidate(entry.effect.tables);
          done.push({ id: entry.id, error: null });
          i += 1;
          continue;
        }
        // Consecutive Redis operations go in one round trip.
        let end = i;
        while (end < entries.length && entries[end]?.effect.kind === 'redis') end += 1;
        const run = entries.slice(i, end);
        const outcomes = await this.redis.apply(
          run.map((e) => ({ marker: effectMarker(e), command: (e.effect as Extract<OutboxEntry['effect'], { kind: 'redis' }>).command })),
        );
        outcomes.forEach((outcome, k) => done.push({ id: (run[k] as OutboxEntry).id, error: outcome.status === 'rejected' ? outcome.reason : null }));
        if (outcomes.length < run.length) throw new Error('Redis stopped accepting writes part way');
        i = end;
      }
      this.recovered();
    } catch (error) {
      this.failed(error);
    }
    return done;
  }

  // An outage makes every relay pass fail: say so when it starts and when it ends, not twice a second.
  private failed(error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.logger.warn({ err: error instanceof Error ? { message: error.message } : String(error) }, 'outbox effects not applied; the relay will retry');
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.info({}, 'outbox effects applied again');
  }
}
