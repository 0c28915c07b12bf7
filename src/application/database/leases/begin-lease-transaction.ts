import type { Caller } from '../../../domain/auth/caller';
import { TransactionAlreadyActive } from '../../../domain/database/lease';
import type { LeaseRegistry } from './lease-registry';

export interface LeaseTransactionInput {
  caller: Caller;
  connectionId: string;
}

export interface LeaseTransactionState {
  connectionId: string;
  transactionStatus: 'active' | 'committed' | 'rolled_back';
}

/** Opens a transaction on the lease that later requests carrying its connection_id run inside. */
export class BeginLeaseTransaction {
  constructor(private readonly registry: LeaseRegistry) {}

  execute(input: LeaseTransactionInput): Promise<LeaseTransactionState> {
    return this.registry.run(input.connectionId, input.caller, async (active) => {
      if (active.transactionOpen || active.session.inTransaction) throw new TransactionAlreadyActive(input.connectionId);
      await active.session.begin();
      active.transactionOpen = true;
      active.effects.clear();
      return { connectionId: input.connectionId, transactionStatus: 'active' };
    });
  }
}
