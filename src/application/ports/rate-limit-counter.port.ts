/** What one reservation got from the shared window counter. */
export interface RateLimitGrant {
  /** Requests granted to the caller of `reserve` (0..want): counted in the window already. */
  granted: number;
  /** Requests counted in the window across every process, these included. */
  used: number;
  /** When the window ends (epoch ms); a new one starts with the next reservation. */
  resetAt: number;
}

/**
 * The per-caller fixed-window counter every process and instance shares (Redis, or this process
 * alone without it). A process reserves several requests at once and spends them locally, so the
 * counter never counts more than `limit` per window: the shared limit is never exceeded.
 */
export interface RateLimitCounter {
  /** Atomically grants up to `want` of what is left of `limit` in `key`'s current window (starting one of `windowMs` if none). */
  reserve(key: string, limit: number, want: number, windowMs: number): Promise<RateLimitGrant>;
}
