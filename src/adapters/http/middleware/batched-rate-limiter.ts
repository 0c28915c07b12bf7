import type { RateLimitCounter } from '../../../application/ports/rate-limit-counter.port';

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** What is left of the window for the caller as this process knows it. */
  remaining: number;
  resetAt: number;
}

/** A caller's share of the current window held by this process. */
interface Allotment {
  limit: number;
  /** Requests reserved in the shared counter and not yet spent here. */
  tokens: number;
  /** The shared count at the last reservation (what every process had reserved then). */
  used: number;
  resetAt: number;
  /** The shared counter granted nothing: the window is spent for everyone until resetAt. */
  spent: boolean;
  reserving: Promise<void> | null;
  /** Requests waiting for the reservation in flight: the next one asks for at least as many. */
  waiting: number;
}

/** Batches are at most this share of a limit, so small limits stay exact (a batch of 1 asks per request). */
const BATCH_SHARE_OF_LIMIT = 1 / 50;

/**
 * The limiter's first tier, in process: per caller, requests reserved from the shared counter in
 * batches and spent here without a round trip; a caller whose window is spent everywhere is refused
 * here too until it ends. The shared counter never grants more than the limit, so the limit holds
 * exactly across processes; what a process reserved and did not spend is lost with its window, so a
 * caller may be refused up to (processes − 1) × batch requests early. Concurrent requests of one
 * caller share one reservation in flight, which asks for enough for all of them.
 */
export class BatchedRateLimiter {
  private readonly allotments = new Map<string, Allotment>();
  private lastSweep = 0;

  constructor(
    private readonly counter: RateLimitCounter,
    private readonly windowMs: number,
    /** The largest batch (RATE_LIMIT_BATCH); 1 asks the shared counter on every request. */
    private readonly maxBatch: number,
    private readonly now: () => number = Date.now,
  ) {}

  batchFor(limit: number): number {
    return Math.max(1, Math.min(this.maxBatch, Math.floor(limit * BATCH_SHARE_OF_LIMIT)));
  }

  /** Spends one request of `key`'s window; rejects only when the shared counter fails. */
  async take(key: string, limit: number): Promise<RateLimitDecision> {
    for (;;) {
      const now = this.now();
      let slot = this.allotments.get(key);
      // A slot being filled has no window yet: it stays, and its waiters with it.
      if (!slot || (slot.resetAt <= now && !slot.reserving) || slot.limit !== limit) {
        this.sweep(now);
        slot = { limit, tokens: 0, used: 0, resetAt: 0, spent: false, reserving: null, waiting: 0 };
        this.allotments.set(key, slot);
      }
      if (slot.tokens > 0) {
        slot.tokens -= 1;
        return { allowed: true, limit, remaining: Math.max(0, limit - slot.used + slot.tokens), resetAt: slot.resetAt };
      }
      if (slot.spent) return { allowed: false, limit, remaining: 0, resetAt: slot.resetAt };
      slot.reserving ??= this.reserve(key, slot);
      slot.waiting += 1;
      try {
        await slot.reserving;
      } finally {
        slot.waiting -= 1;
      }
    }
  }

  private async reserve(key: string, slot: Allotment): Promise<void> {
    try {
      // Enough for every request already waiting too, so concurrent requests of one caller do not
      // queue one round trip each when the batch is small; they spend what they get at once.
      const grant = await this.counter.reserve(key, slot.limit, Math.max(this.batchFor(slot.limit), slot.waiting + 1), this.windowMs);
      slot.tokens += grant.granted;
      slot.used = grant.used;
      slot.resetAt = grant.resetAt;
      slot.spent = grant.granted === 0;
    } finally {
      slot.reserving = null;
    }
  }

  /** Allotments of ended windows go, at most once per window length. */
  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, slot] of this.allotments) if (slot.resetAt <= now && !slot.reserving) this.allotments.delete(key);
  }
}
