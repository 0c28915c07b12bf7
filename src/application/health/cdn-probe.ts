import type { DependencyCheck } from '../../domain/health/health-report';
import { percentOf, type CdnProvider } from '../../domain/storage/cdn';
import type { CdnCacheStore } from '../ports/cdn-cache-store.port';
import type { Clock } from '../ports/clock.port';
import type { DependencyProbe } from '../ports/dependency-probe.port';

const DAY_MS = 86_400_000;

/**
 * /health's `cdn` (002: status and hit_ratio): the configured providers and the last 24 hours' hit
 * ratio from the traffic counters. No provider API is called here: health is polled often, and purge
 * APIs are rate limited. Not critical: files are still served by the origin.
 */
export class CdnProbe implements DependencyProbe {
  readonly name = 'cdn';
  readonly critical = false;

  constructor(
    private readonly providers: CdnProvider[],
    private readonly store: CdnCacheStore,
    private readonly countedBy: 'cdn_log' | 'origin',
    private readonly clock: Clock,
  ) {}

  async check(): Promise<DependencyCheck> {
    const started = Date.now();
    const stats = await this.store.stats({ since: new Date(this.clock.now().getTime() - DAY_MS), userId: null, topFiles: 0 });
    const hitRatio = stats.requests === 0 ? null : `${percentOf(stats.hits, stats.requests)}%`;
    return {
      status: 'UP',
      responseTimeMs: Date.now() - started,
      facts: { providers: this.providers.length > 0 ? this.providers : ['none'], counted_by: this.countedBy, requests_24h: stats.requests, hit_ratio: hitRatio },
    };
  }
}
