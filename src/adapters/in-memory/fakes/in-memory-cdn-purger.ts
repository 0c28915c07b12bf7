import type { CdnPurger } from '../../../application/ports/cdn.port';
import type { CdnProvider, CdnTarget } from '../../../domain/storage/cdn';
import { CdnSyncFailed } from '../../../domain/storage/errors';

/**
 * A CDN's cache as a set of URLs (path plus query string), for use-case tests: a purge drops every
 * cached variant of a path, as the real providers do; `refuseNext` makes the next purge fail.
 */
export class InMemoryCdnPurger implements CdnPurger {
  private readonly cached = new Set<string>();
  private refusals = 0;
  calls = 0;

  constructor(readonly provider: CdnProvider = 'varnish') {}

  /** What the CDN would now serve from its cache. */
  cache(path: string, query = ''): void {
    this.cached.add(query ? `${path}?${query}` : path);
  }

  isCached(path: string, query = ''): boolean {
    return this.cached.has(query ? `${path}?${query}` : path);
  }

  refuseNext(): void {
    this.refusals++;
  }

  async purge(targets: CdnTarget[]): Promise<number> {
    if (targets.length === 0) return 0;
    this.calls++;
    if (this.refusals > 0) {
      this.refusals--;
      throw new CdnSyncFailed(`${this.provider}: purge refused`, { provider: this.provider });
    }
    for (const t of targets) {
      for (const url of [...this.cached]) if (url === t.path || url.startsWith(`${t.path}?`)) this.cached.delete(url);
    }
    return targets.length;
  }
}
