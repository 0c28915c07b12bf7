import { NoActiveTransaction } from '../../../domain/database/lease';
import type { LeaseTransactionInput, LeaseTransactionState } from './begin-lease-transaction';
import type { LeaseRegistry } from './lease-registry';

/** Undoes the lease's open transaction; the effects it deferred are dropped with it. */
export class RollbackLeaseTransaction {
  constructor(private readonly registry: LeaseRegistry) {}

  execute(input: LeaseTransactionInput): Promise<LeaseTransactionState> {
    return this.registry.run(input.connectionId, input.caller, async (active) => {
      if (!active.transactionOpen) throw new NoActiveTransaction(input.connectionId);
      active.transactionOpen = false;
      active.effects.clear();
      await active.session.rollback();
      return { connectionId: input.connectionId, transactionStatus: 'rolled_back' };
    });
  }
}
