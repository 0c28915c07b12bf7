import { InMemoryKeyValueStore } from '../../src/adapters/in-memory/fallbacks/in-memory-key-value-store';
import { InMemoryOutboxStore } from '../../src/adapters/in-memory/fakes/in-memory-outbox-store';
import { InMemoryRedisEffects } from '../../src/adapters/in-memory/fallbacks/in-memory-redis-effects';
import { InMemoryRowWriter } from '../../src/adapters/in-memory/fakes/in-memory-row-writer';
import { InMemoryTables, type InMemoryDatabaseSession } from '../../src/adapters/in-memory/fakes/in-memory-tables';
import { OutboxDispatcher } from '../../src/application/database/writes/outbox-dispatcher';
import { OutboxPostCommit } from '../../src/application/database/writes/outbox-post-commit';
import { RelayOutbox } from '../../src/application/database/writes/relay-outbox';
import { RunTransaction } from '../../src/application/database/writes/run-transaction';
import type { CacheInvalidator } from '../../src/application/ports/cache-invalidator.port';
import type { CommitEffects } from '../../src/application/ports/commit-effects.port';
import type { LeasedSession, LeaseSessions } from '../../src/application/ports/lease-sessions.port';
import type { Caller } from '../../src/domain/auth/caller';
import { LeaseNotFound } from '../../src/domain/database/lease';
import { KeyValueUnavailable } from '../../src/domain/shared/errors';
import { FakeClock } from './fake-clock';
import { RecordingLogger } from './recording-logger';
import { shippedSchema } from './table-schemas';

/** A cache invalidator that records what it was told, and can be made to fail like Redis. */
export class RecordingInvalidator implements CacheInvalidator {
  readonly calls: string[][] = [];
  down = false;

  async invalidate(tables: readonly string[]): Promise<void> {
    if (this.down) throw new KeyValueUnavailable('Redis is unavailable');
    this.calls.push([...tables]);
  }
}

/** Leases as the use case sees them: a session per id, its owner, and the effects deferred on it. */
export class FakeLeaseSessions implements LeaseSessions {
  readonly leases = new Map<string, { owner: string; session: InMemoryDatabaseSession; deferred: CommitEffects[] }>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly tables: InMemoryTables) {}

  async open(id: string, owner: Caller): Promise<InMemoryDatabaseSession> {
    const session = await this.tables.openSession();
    this.leases.set(id, { owner: owner.userId, session, deferred: [] });
    return session;
  }

  async use<T>(connectionId: string, caller: Caller, work: (leased: LeasedSession) => Promise<T>): Promise<T> {
    const lease = this.leases.get(connectionId);
    if (!lease || lease.owner !== caller.userId) throw new LeaseNotFound(connectionId);
    // One call at a time, and what it defers is handed on once it settles, as the real leases do.
    const call = this.queue.catch(() => undefined).then(async () => {
      const deferred: CommitEffects[] = [];
      try {
        return await work({ session: lease.session, deferEffects: (effects) => deferred.push(effects) });
      } finally {
        lease.deferred.push(...deferred);
      }
    });
    this.queue = call;
    return call;
  }
}

/** RunTransaction over the in-memory fakes, with every collaborator at hand for assertions. */
export function transactionWorld() {
  const clock = new FakeClock(new Date());
  const tables = new InMemoryTables();
  const store = new InMemoryKeyValueStore(clock);
  const effects = new InMemoryRedisEffects(store);
  const outbox = new InMemoryOutboxStore(tables, clock, 1_000);
  const invalidator = new RecordingInvalidator();
  const logger = new RecordingLogger();
  const dispatcher = new OutboxDispatcher(effects, invalidator, logger);
  const postCommit = new OutboxPostCommit(outbox, dispatcher, invalidator, logger);
  const leases = new FakeLeaseSessions(tables);
  const catalog = { snapshot: async () => shippedSchema(), refresh: async () => shippedSchema() };
  let opened = 0;
  const sessions = { openSession: () => ((opened += 1), tables.openSession()) };
  const runTransaction = new RunTransaction({ catalog, sessions, leases, writer: new InMemoryRowWriter(), outbox, postCommit });
  return {
    clock,
    tables,
    store,
    effects,
    outbox,
    invalidator,
    logger,
    leases,
    postCommit,
    relay: new RelayOutbox(outbox, dispatcher, clock),
    runTransaction,
    sessionsOpened: () => opened,
    rows: (table: string) => tables.table(table),
  };
}
