import type { Caller } from '../../../domain/auth/caller';
import type { CommitEffects, PostCommit } from '../../ports/commit-effects.port';
import type { LeasedSession, LeaseSessions } from '../../ports/lease-sessions.port';
import type { Logger } from '../../ports/logger.port';
import type { LeaseRegistry } from './lease-registry';
import { applyAll, PendingEffects } from '../writes/pending-effects';

/**
 * Queries and transactions that carry a connection_id run here: on the lease's connection, one at a
 * time, the lease marked used. Effects deferred inside an interactive transaction wait for its
 * commit; effects deferred outside one (the work committed on its own) are applied as soon as the
 * work settles, before its response.
 */
export class RegistryLeaseSessions implements LeaseSessions {
  constructor(
    private readonly registry: LeaseRegistry,
    private readonly postCommit: PostCommit,
    private readonly logger: Logger,
  ) {}

  use<T>(connectionId: string, caller: Caller, work: (leased: LeasedSession) => Promise<T>): Promise<T> {
    return this.registry.run(connectionId, caller, async (active) => {
      const owedNow = new PendingEffects();
      const leased: LeasedSession = {
        session: active.session,
        deferEffects: (effects: CommitEffects) => (active.transactionOpen ? active.effects : owedNow).add(effects),
      };
      try {
        return await work(leased);
      } finally {
        if (!owedNow.empty) await this.apply(connectionId, owedNow);
      }
    });
  }

  private async apply(connectionId: string, owed: PendingEffects): Promise<void> {
    try {
      await applyAll(this.postCommit, owed.drain());
    } catch (error) {
      this.logger.error({ connection_id: connectionId, err: error }, 'post-commit effects of work on a lease failed');
    }
  }
}
