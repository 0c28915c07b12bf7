import type { Caller, Role } from '../../src/domain/auth/caller';
import type { CacheObserver } from '../../src/application/ports/cache-observer.port';
import type { CommitEffects } from '../../src/application/ports/commit-effects.port';
import type { DatabaseSession } from '../../src/application/ports/database-session.port';
import type { LeasedSession, LeaseSessions } from '../../src/application/ports/lease-sessions.port';
import type { PendingInvalidations } from '../../src/application/ports/pending-invalidations.port';
import type { QueryCache } from '../../src/application/ports/query-cache.port';
import type { SelectResult, TableReader } from '../../src/application/ports/table-reader.port';
import { InMemoryDatabaseSession, type InMemoryTables } from '../../src/adapters/in-memory/fakes/in-memory-tables';
import { InMemoryQueryCache } from '../../src/adapters/in-memory/fallbacks/in-memory-query-cache';
import type { ScopedSelect } from '../../src/domain/database/scoped-select';
import { LeaseNotFound } from '../../src/domain/database/lease';
import { KeyValueUnavailable } from '../../src/domain/shared/errors';

/** Test doubles for the read path's collaborators; each records what it was asked. */

export function aCaller(role: Role = 'user', userId = '3f1d2c4b-5a6e-4f70-8123-456789abcdef'): Caller {
  return { userId, role, email: null, subscriptionType: null, permissions: [], tokenId: null };
}

/** Remembers each select and session, and answers through the reader it wraps. */
export class RecordingTableReader implements TableReader {
  readonly calls: Array<{ query: ScopedSelect; session?: DatabaseSession }> = [];
  constructor(private readonly inner: TableReader) {}

  select(query: ScopedSelect, session?: DatabaseSession): Promise<SelectResult> {
    this.calls.push({ query, session });
    return this.inner.select(query, session);
  }
}

/** The in-memory cache with a switch that makes every call fail as an unreachable Redis does. */
export class SwitchableQueryCache implements QueryCache {
  down = false;
  gets = 0;
  private readonly inner = new InMemoryQueryCache();

  generations(tables: readonly string[]) {
    return this.guard(() => this.inner.generations(tables));
  }
  bump(tables: readonly string[]) {
    return this.guard(() => this.inner.bump(tables));
  }
  lookup(key: string, tables: readonly string[]) {
    this.gets++;
    return this.guard(() => this.inner.lookup(key, tables));
  }
  store(key: string, generations: readonly number[], value: string, ttlSeconds: number) {
    return this.guard(() => this.inner.store(key, generations, value, ttlSeconds));
  }
  private async guard<T>(call: () => Promise<T>): Promise<T> {
    if (this.down) throw new KeyValueUnavailable('Redis is unavailable', { store: 'redis' });
    return call();
  }
}

/** Totals for the tests that only care how many, and counts per cache as /metrics keeps them. */
export class CountingObserver implements CacheObserver {
  hits = 0;
  misses = 0;
  private readonly perCache = new Map<string, { hits: number; misses: number }>();
  hit(cache: string): void {
    this.hits++;
    this.countsOf(cache).hits++;
  }
  miss(cache: string): void {
    this.misses++;
    this.countsOf(cache).misses++;
  }
  counts(cache: string): { hits: number; misses: number } {
    return { ...this.countsOf(cache) };
  }
  private countsOf(cache: string): { hits: number; misses: number } {
    let counts = this.perCache.get(cache);
    if (!counts) this.perCache.set(cache, (counts = { hits: 0, misses: 0 }));
    return counts;
  }
}

export class ScriptedPending implements PendingInvalidations {
  owed = false;
  failing = false;
  calls = 0;
  async none(): Promise<boolean> {
    this.calls++;
    if (this.failing) throw new Error('database down');
    return !this.owed;
  }
}

/** One lease, `conn_1`, owned by `owner`, holding a session on `tables`; anyone else (or any other id) gets a 404. */
export class OneLease implements LeaseSessions {
  readonly session: DatabaseSession;
  /** What calls deferred, handed on once each call settled. */
  readonly deferred: CommitEffects[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  constructor(
    private readonly owner: string,
    tables: InMemoryTables,
  ) {
    this.session = new InMemoryDatabaseSession(tables);
  }

  async use<T>(connectionId: string, caller: Caller, work: (leased: LeasedSession) => Promise<T>): Promise<T> {
    if (connectionId !== 'conn_1' || caller.userId !== this.owner) throw new LeaseNotFound(connectionId);
    // One call at a time, as a connection runs one statement at a time.
    const call = this.queue.catch(() => undefined).then(async () => {
      const owed: CommitEffects[] = [];
      try {
        return await work({ session: this.session, deferEffects: (effects) => owed.push(effects) });
      } finally {
        this.deferred.push(...owed);
      }
    });
    this.queue = call;
    return call;
  }
}
