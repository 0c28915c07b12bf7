import type { CdnHit, CdnProvider, CdnTarget } from '../../domain/storage/cdn';

/**
 * Removes cached copies from one CDN. Each adapter speaks its provider's purge API (Varnish bans,
 * Cloudflare and Azure CDN REST); `none` purges nothing.
 */
export interface CdnPurger {
  readonly provider: CdnProvider;
  /**
   * Purges every cached copy of these paths, whatever query string they were cached under. Resolves
   * with the number of URLs purged (targets.length once the provider accepted them all); an empty
   * list sends nothing. Throws CdnSyncFailed when the provider refuses or cannot be reached.
   */
  purge(targets: CdnTarget[]): Promise<number>;
}

/**
 * Requests answered by the CDN itself (hits included), read from the provider's own log. Providers
 * without one have no source: the origin then counts what it serves.
 */
export interface CdnTrafficSource {
  /** Starts reading; `record` gets batches of requests in the order they were logged. */
  start(record: (hits: CdnHit[]) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}
