import { isAdmin, type Caller } from '../../../domain/auth/caller';
import type { CdnCacheStore, CdnStats } from '../../ports/cdn-cache-store.port';
import { ValidationFailed } from '../../../domain/shared/errors';
import type { Clock } from '../../ports/clock.port';
import type { FileRepository } from '../../ports/file-repository.port';
import { accessibleFile } from '../files/accessible-file';
import type { CdnTrafficCounter } from './cdn-traffic-counter';

export interface CdnStatsResult {
  period: string;
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

/** GET /cdn/stats: the caller's files (an admin: every file), or one file of theirs (else 404). */
export class GetCdnStats {
  constructor(
    private readonly files: FileRepository,
    private readonly store: CdnCacheStore,
    private readonly counter: CdnTrafficCounter,
    private readonly countedBy: 'cdn_log' | 'origin',
    private readonly clock: Clock,
  ) {}

  async execute(input: { caller: Caller; period: string; fileId?: string }): Promise<CdnStatsResult> {
    const ms = periodMs(input.period);
    if (ms === null) throw new ValidationFailed('period: expected a number of hours or days, e.g. 24h or 7d (at most 90d)', [{ path: 'period', message: 'expected e.g. 24h or 7d, at most 90d' }]);
    if (input.fileId) await accessibleFile(this.files, input.caller, input.fileId, 'any');
    // This instance's unwritten counts belong in the answer: a read right after traffic sees it.
    await this.counter.flush();
    const stats = await this.store.stats({
      since: new Date(this.clock.now().getTime() - ms),
      userId: isAdmin(input.caller) ? null : input.caller.userId,
      ...(input.fileId ? { fileId: input.fileId } : {}),
      topFiles: 10,
    });
    return { period: input.period, stats, countedBy: this.countedBy };
  }
}
