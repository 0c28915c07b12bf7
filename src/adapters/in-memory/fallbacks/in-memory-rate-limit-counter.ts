import type { RateLimitCounter, RateLimitGrant } from '../../../application/ports/rate-limit-counter.port';

/** The window counters of this process alone: the limiter's shared tier without Redis, and the unit tests' fake. */
export class InMemoryRateLimitCounter implements RateLimitCounter {
  private readonly windows = new Map<string, { used: number; resetAt: number }>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async reserve(key: string, limit: number, want: number, windowMs: number): Promise<RateLimitGrant> {
    const now = this.now();
    this.sweep(now, windowMs);
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { used: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    const granted = Math.max(0, Math.min(want, limit - window.used));
    window.used += granted;
    return { granted, used: window.used, resetAt: window.resetAt };
  }

  /** Ended windows go, at most once per window length. */
  private sweep(now: number, windowMs: number): void {
    if (now - this.lastSweep < windowMs) return;
    this.lastSweep = now;
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}
