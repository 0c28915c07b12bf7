import { AcquireLease } from '../../src/application/database/leases/acquire-lease';
import { BeginLeaseTransaction } from '../../src/application/database/leases/begin-lease-transaction';
import { CommitLeaseTransaction } from '../../src/application/database/leases/commit-lease-transaction';
import { LeaseRegistry } from '../../src/application/database/leases/lease-registry';
import { RegistryLeaseSessions } from '../../src/application/database/leases/lease-sessions';
import { ReapLeases } from '../../src/application/database/leases/reap-leases';
import { ReleaseLease } from '../../src/application/database/leases/release-lease';
import { RollbackLeaseTransaction } from '../../src/application/database/leases/rollback-lease-transaction';
import type { CommitEffects, PostCommit } from '../../src/application/ports/commit-effects.port';
import type { ConnectionPools } from '../../src/application/ports/connection-pools.port';
import { InMemoryConnectionPools } from '../../src/adapters/in-memory/fakes/in-memory-connection-pools';
import { FakeClock } from './fake-clock';
import { RecordingLogger } from './recording-logger';

/** Remembers what it was asked to apply; `failWith` makes it throw instead. */
export class RecordingPostCommit implements PostCommit {
  readonly applied: CommitEffects[] = [];
  failWith: Error | null = null;

  async apply(effects: CommitEffects): Promise<{ redisApplied: boolean }> {
    if (this.failWith) throw this.failWith;
    this.applied.push(effects);
    return { redisApplied: true };
  }
}

export interface LeasesWorldOptions {
  pools?: ConnectionPools;
  instanceId?: string;
  maxPerCaller?: number;
  idleTimeoutSeconds?: number;
  maxTtlSeconds?: number;
  releaseWaitMs?: number;
}

/** The lease use cases over one registry, a fake clock and (by default) in-memory pools. */
export function leasesWorld(options: LeasesWorldOptions = {}) {
  const clock = new FakeClock();
  const logger = new RecordingLogger();
  const postCommit = new RecordingPostCommit();
  const pools = options.pools ?? new InMemoryConnectionPools();
  const idleTimeoutSeconds = options.idleTimeoutSeconds ?? 120;
  const terms = { defaultTtlSeconds: 300, maxTtlSeconds: options.maxTtlSeconds ?? 3_600, idleTimeoutSeconds };
  const registry = new LeaseRegistry(options.instanceId ?? 'test1', clock, { idleTimeoutSeconds, maxPerCaller: options.maxPerCaller ?? 10 });
  let ids = 0;
  const random = () => (++ids).toString(16).padStart(24, '0');
  return {
    clock,
    logger,
    postCommit,
    pools,
    registry,
    acquire: new AcquireLease(registry, pools, clock, terms, random),
    release: new ReleaseLease(registry, clock),
    begin: new BeginLeaseTransaction(registry),
    commit: new CommitLeaseTransaction(registry, postCommit, logger),
    rollback: new RollbackLeaseTransaction(registry),
    reap: new ReapLeases(registry, clock, logger, options.releaseWaitMs),
    sessions: new RegistryLeaseSessions(registry, postCommit, logger),
  };
}
