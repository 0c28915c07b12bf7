import type { NewAuditEntry } from '../../domain/audit/audit-entry';
import type { AuditTrail } from '../ports/audit-trail.port';
import type { Clock } from '../ports/clock.port';
import type { Logger } from '../ports/logger.port';

export interface Refusal {
  /** Who was refused: the token's subject, else the client IP (no valid token). */
  actorKey: string;
  entry: NewAuditEntry;
}

/**
 * Records refused attempts that matter (401/403 on admin routes, 404 on someone else's file), at most
 * `perWindow` per actor per window in this instance: a flood of refusals cannot fill the table. The
 * entry that reaches the limit says so (`details.rate_limited`). Never throws: a refusal is answered
 * whatever the trail does.
 */
export class RecordRefusal {
  private readonly counts = new Map<string, { windowStart: number; count: number }>();

  constructor(
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly perWindow = 10,
    private readonly windowMs = 60_000,
  ) {}

  async execute(refusal: Refusal): Promise<void> {
    const now = this.clock.now().getTime();
    let slot = this.counts.get(refusal.actorKey);
    if (!slot || now - slot.windowStart >= this.windowMs) {
      if (this.counts.size > 10_000) this.forgetOld(now);
      slot = { windowStart: now, count: 0 };
      this.counts.set(refusal.actorKey, slot);
    }
    slot.count += 1;
    if (slot.count > this.perWindow) return;
    const entry = slot.count === this.perWindow ? { ...refusal.entry, details: { ...refusal.entry.details, rate_limited: true } } : refusal.entry;
    await this.audit.record([entry]).catch((error: unknown) => this.logger.warn({ err: error }, 'refused attempt not audited'));
  }

  private forgetOld(now: number): void {
    for (const [key, slot] of this.counts) if (now - slot.windowStart >= this.windowMs) this.counts.delete(key);
  }
}
