import { isAdmin, type Caller } from '../../../domain/auth/caller';
import type { CdnCacheStore, CdnStats, TrafficInterval } from '../../ports/cdn-cache-store.port';
import { ValidationFailed } from '../../../domain/shared/errors';
import type { Clock } from '../../ports/clock.port';
import type { FileRepository } from '../../ports/file-repository.port';
import { accessibleFile } from '../files/accessible-file';
import type { CdnTrafficCounter } from './cdn-traffic-counter';

export interface CdnStatsResult {
  period: string;
  /** The intervals' length, e.g. `1h`, `6h`, `1d`. */
  interval: string;
  stats: CdnStats;
  /** Where the counts come from: the CDN's own log (hits included) or the origin (misses only). */
  countedBy: 'cdn_log' | 'origin';
}

const UNIT_MS = { h: 3_600_000, d: 86_400_000 } as const;

/** `7d`, `24h`: how far back /cdn/stats looks (at most 90 days: the traffic table keeps hourly rows). */
export function periodMs(period: string): number | null {
  const match = /^([1-9]\d{0,3})([hd])$/.exec(period);
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2] as 'h' | 'd'];
  return ms <= 90 * UNIT_MS.d ? ms : null;
}

/** `1h`, `6h`, `1d`: whole hours up to 90 days; null otherwise. */
export function intervalMs(interval: string): number | null {
  return periodMs(interval);
}

/** At most this many intervals in one answer. */
export const MAX_INTERVALS = 1_000;

/** The interval chosen when none is asked: hours up to two days, quarter days up to two weeks, days beyond. */
export function defaultInterval(periodMillis: number): string {
  if (periodMillis <= 2 * UNIT_MS.d) return '1h';
  if (periodMillis <= 14 * UNIT_MS.d) return '6h';
  return '1d';
}

/**
 * Every interval from the one holding `since` to the one holding `now`, oldest first, with the
 * store's counts where it has some and zeros elsewhere (a chart needs the quiet intervals too).
 */
export function fillIntervals(counted: TrafficInterval[], since: Date, now: Date, ms: number): TrafficInterval[] {
  const byStart = new Map(counted.map((i) => [i.start.getTime(), i]));
  const first = Math.floor(Math.floor(since.getTime() / UNIT_MS.h) * UNIT_MS.h / ms) * ms;
  const out: TrafficInterval[] = [];
  for (let start = first; start <= now.getTime(); start += ms) {
    out.push(byStart.get(start) ?? { start: new Date(start), requests: 0, hits: 0, misses: 0, bytes: 0 });
  }
  return out;
}

/** GET /cdn/stats: the caller's files (an admin: every file), or one file of theirs (else 404). */
export class GetCdnStats {
  constructor(
    private readonly files: FileRepository,
    private readonly store: CdnCacheStore,
    private readonly counter: CdnTrafficCounter,
    private readonly countedBy: 'cdn_log' | 'origin',
    private readonly clock: Clock,
  ) {}

  async execute(input: { caller: Caller; period: string; interval?: string; fileId?: string }): Promise<CdnStatsResult> {
    const ms = periodMs(input.period);
    if (ms === null) throw new ValidationFailed('period: expected a number of hours or days, e.g. 24h or 7d (at most 90d)', [{ path: 'period', message: 'expected e.g. 24h or 7d, at most 90d' }]);
    const interval = input.interval ?? defaultInterval(ms);
    const every = intervalMs(interval);
    if (every === null) throw new ValidationFailed('interval: expected a number of hours or days, e.g. 1h or 1d (at most 90d)', [{ path: 'interval', message: 'expected e.g. 1h or 1d, at most 90d' }]);
    if (Math.ceil(ms / every) + 1 > MAX_INTERVALS) {
      throw new ValidationFailed(`interval: ${interval} over ${input.period} makes more than ${MAX_INTERVALS} intervals; choose a longer one`, [{ path: 'interval', message: `at most ${MAX_INTERVALS} intervals per period` }]);
    }
    if (input.fileId) await accessibleFile(this.files, input.caller, input.fileId, 'any');
    // This instance's unwritten counts belong in the answer: a read right after traffic sees it.
    await this.counter.flush();
    const now = this.clock.now();
    const since = new Date(now.getTime() - ms);
    const stats = await this.store.stats({
      since,
      userId: isAdmin(input.caller) ? null : input.caller.userId,
      ...(input.fileId ? { fileId: input.fileId } : {}),
      topFiles: 10,
      intervalMs: every,
    });
    return { period: input.period, interval, stats: { ...stats, intervals: fillIntervals(stats.intervals, since, now, every) }, countedBy: this.countedBy };
  }
}
