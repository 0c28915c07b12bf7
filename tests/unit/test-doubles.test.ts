import { InMemoryTables } from '../../src/adapters/in-memory/fakes/in-memory-tables';
import { cacheInvalidatorContract } from '../contract/cache-invalidator.contract';
import { postCommitContract } from '../contract/commit-effects.contract';
import { leaseSessionsContract } from '../contract/lease-sessions.contract';
import { pendingInvalidationsContract } from '../contract/pending-invalidations.contract';
import { aCaller } from '../support/caller-builder';
import { recordedCallsProbe } from '../support/cached-read-probes';
import { RecordingPostCommit } from '../support/leases-world';
import { OneLease, ScriptedPending } from '../support/read-fakes';
import { FakeLeaseSessions, RecordingInvalidator } from '../support/transaction-world';

/**
 * The hand-written doubles the use case tests stand on, held to the contracts of the ports they
 * stand in for: a use case test over a double that breaks its port's promises proves nothing.
 */

cacheInvalidatorContract(
  'RecordingInvalidator',
  async () => {
    const invalidator = new RecordingInvalidator();
    return { invalidator, cachedRead: recordedCallsProbe(() => invalidator.calls), storeDown: async () => void (invalidator.down = true), close: async () => undefined };
  },
  { outage: true },
);

postCommitContract(
  'RecordingPostCommit',
  async () => {
    const postCommit = new RecordingPostCommit();
    return { postCommit, cachedRead: recordedCallsProbe(() => postCommit.applied.map((effects) => effects.tables)), close: async () => undefined };
  },
  { outbox: false, outage: false },
);

leaseSessionsContract('FakeLeaseSessions', async () => {
  const leases = new FakeLeaseSessions(new InMemoryTables());
  const owner = aCaller().build();
  await leases.open('conn_1', owner);
  return { leases, connectionId: 'conn_1', owner, stranger: aCaller().build(), applied: () => leases.leases.get('conn_1')!.deferred, close: async () => undefined };
});

leaseSessionsContract('OneLease', async () => {
  const owner = aCaller().build();
  const leases = new OneLease(owner.userId, new InMemoryTables());
  return { leases, connectionId: 'conn_1', owner, stranger: aCaller().build(), applied: () => leases.deferred, close: async () => undefined };
});

pendingInvalidationsContract('ScriptedPending', async () => {
  const pending = new ScriptedPending();
  // The script's one switch: a write owes an invalidation until a test says it is applied.
  const owe = async () => {
    pending.owed = true;
    return async () => void (pending.owed = false);
  };
  return { pending, owe, close: async () => undefined };
});
