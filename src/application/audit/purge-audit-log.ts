import type { AuditLog } from '../ports/audit-log.port';
import type { Clock } from '../ports/clock.port';
import type { Logger } from '../ports/logger.port';

const DAY_MS = 86_400_000;

/**
 * The retention job: deletes entries older than AUDIT_RETENTION_DAYS, moves the chain's anchor to the
 * last one deleted and records its own entry, in one transaction (verify then starts at the anchor).
 */
export class PurgeAuditLog {
  constructor(
    private readonly log: AuditLog,
    private readonly clock: Clock,
    private readonly retentionDays: number,
    private readonly logger: Logger,
  ) {}

  async execute(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - this.retentionDays * DAY_MS);
    const purged = await this.log.purgeBefore(before, (count, anchorSeq) => ({
      action: 'audit.retention_purge',
      targetType: 'audit_log',
      targetId: null,
      outcome: 'success',
      details: { purged: count, before: before.toISOString(), retention_days: this.retentionDays, anchor_seq: anchorSeq },
    }));
    if (purged > 0) this.logger.info({ purged, before: before.toISOString() }, 'audit entries past retention purged');
    return purged;
  }
}
