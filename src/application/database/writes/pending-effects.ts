import type { NewAuditEntry } from '../../../domain/audit/audit-entry';
import type { CommitEffects, PostCommit } from '../../ports/commit-effects.port';

/**
 * What an interactive transaction owes once it commits, gathered across its requests. Tables are
 * merged (one invalidation each); outbox ids are kept in the order deferred, so Redis operations
 * apply in the order they were written.
 */
export class PendingEffects {
  private tables = new Set<string>();
  private outboxIds: string[] = [];
  private audit: NewAuditEntry[] = [];

  add(effects: CommitEffects): void {
    if (effects.audit) this.audit.push(...effects.audit);
    for (const table of effects.tables) this.tables.add(table);
    if (effects.outboxTransactionId && !this.outboxIds.includes(effects.outboxTransactionId)) this.outboxIds.push(effects.outboxTransactionId);
  }

  get empty(): boolean {
    return this.tables.size === 0 && this.outboxIds.length === 0;
  }

  /**
   * The merged effects as PostCommit calls (one CommitEffects holds one outbox id): the tables go
   * with the first call, each further outbox id gets a call of its own. Leaves nothing pending.
   */
  drain(): CommitEffects[] {
    const tables = [...this.tables];
    const ids = this.outboxIds;
    this.clear();
    if (tables.length === 0 && ids.length === 0) return [];
    const [first = null, ...rest] = ids;
    return [{ tables, outboxTransactionId: first }, ...rest.map((id) => ({ tables: [], outboxTransactionId: id }))];
  }

  /** The audit entries owed, in the order deferred; they are written inside the transaction, before COMMIT. */
  drainAudit(): NewAuditEntry[] {
    const entries = this.audit;
    this.audit = [];
    return entries;
  }

  clear(): void {
    this.tables = new Set();
    this.outboxIds = [];
    this.audit = [];
  }
}

export async function applyAll(postCommit: PostCommit, batches: readonly CommitEffects[]): Promise<void> {
  for (const effects of batches) await postCommit.apply(effects);
}
