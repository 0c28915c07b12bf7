import type { ChainVerdict } from '../../domain/audit/audit-entry';
import type { AuditLog } from '../ports/audit-log.port';

/** GET /audit/verify: walks the chain from its anchor and reports the first broken link, if any. */
export class VerifyAuditChain {
  constructor(private readonly log: AuditLog) {}

  execute(): Promise<ChainVerdict> {
    return this.log.verify();
  }
}
