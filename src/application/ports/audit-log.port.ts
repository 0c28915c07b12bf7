import type { AuditEntry, ChainVerdict, NewAuditEntry } from '../../domain/audit/audit-entry';

export interface AuditFilter {
  actor?: string;
  action?: string;
  targetId?: string;
  outcome?: string;
  from?: Date;
  to?: Date;
}

export interface AuditPageRequest {
  limit: number;
  /** Keyset: entries with a smaller id than this one (newest first). */
  beforeId?: string;
  /** Offset pagination (1-based), when no cursor is given. */
  page?: number;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Total matching the filter (page pagination only; null with a cursor). */
  total: number | null;
  /** Id to pass as the next cursor, null when this is the last page. */
  nextBeforeId: string | null;
}

/** Reading, verifying and pruning the stored trail (admin tools and the retention job). */
export interface AuditLog {
  /** Newest first. */
  list(filter: AuditFilter, page: AuditPageRequest): Promise<AuditPage>;
  /**
   * Links the committed entries not chained yet, in id order, after the chain's head. One chainer at a
   * time across instances (a pass finding another one at work returns null). Returns how many it linked.
   */
  chain(): Promise<number | null>;
  /** Chains what is committed, then walks the whole chain from its anchor; stops at the first broken link. */
  verify(): Promise<ChainVerdict>;
  /**
   * Deletes the chain's prefix of entries that occurred before `before`, moves the chain's anchor to
   * the last one deleted and appends `entry` (with the count in its details), all in one transaction.
   * Returns how many entries were deleted; when none is past `before`, changes nothing and records nothing.
   */
  purgeBefore(before: Date, entry: (purged: number, anchorSeq: string) => NewAuditEntry): Promise<number>;
}
