import { NoActiveTransaction } from '../../../domain/database/lease';
import { TransactionAborted } from '../../../domain/shared/errors';
import type { AuditTrail } from '../../ports/audit-trail.port';
import type { PostCommit } from '../../ports/commit-effects.port';
import type { Logger } from '../../ports/logger.port';
import type { LeaseTransactionInput, LeaseTransactionState } from './begin-lease-transaction';
import type { LeaseRegistry } from './lease-registry';
import { applyAll } from '../writes/pending-effects';

/**
 * Commits the lease's open transaction, then, before answering, applies what its requests deferred
 * (cache invalidation, outboxed Redis operations), so a read after the commit is never stale. It
 * all happens in the lease's queue: the lease's next request starts after the effects are applied.
 */
export class CommitLeaseTransaction {
  constructor(
    private readonly registry: LeaseRegistry,
    private readonly postCommit: PostCommit,
    private readonly logger: Logger,
    /** Writes the audit entries the transaction's requests deferred, inside it, right before COMMIT. */
    private readonly audit: AuditTrail | null = null,
  ) {}

  execute(input: LeaseTransactionInput): Promise<LeaseTransactionState> {
    return this.registry.run(input.connectionId, input.caller, async (active) => {
      if (!active.transactionOpen) throw new NoActiveTransaction(input.connectionId);
      active.transactionOpen = false;
      const entries = active.effects.drainAudit();
      const owed = active.effects.drain();
      try {
        if (this.audit && entries.length > 0) {
          await this.audit.record(entries, active.session).catch(async (error: unknown) => {
            await active.session.rollback().catch(() => undefined);
            throw error;
          });
        }
        await active.session.commit();
      } catch (error) {
        if (error instanceof TransactionAborted) throw new TransactionAborted({ connection_id: input.connectionId });
        throw error;
      }
      try {
        await applyAll(this.postCommit, owed);
      } catch (error) {
        // The data is committed: answering an error would invite a retry that writes it twice.
        // PostCommit owns recovery (outbox relay, cache kept bypassed); this is its bug to see.
        this.logger.error({ connection_id: input.connectionId, err: error }, 'post-commit effects of a lease transaction failed');
      }
      return { connectionId: input.connectionId, transactionStatus: 'committed' };
    });
  }
}
