/** Counts read-cache outcomes, for /metrics. */
export interface CacheObserver {
  hit(cache: string): void;
  miss(cache: string): void;
}
