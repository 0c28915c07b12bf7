import type { Container } from 'inversify';
import type { Redis } from 'ioredis';
import type { CacheInvalidator } from '../../application/ports/cache-invalidator.port';
import type { Clock } from '../../application/ports/clock.port';
import type { PostCommit } from '../../application/ports/commit-effects.port';
import type { KeyValueStore } from '../../application/ports/key-value-store.port';
import type { LeaseSessions } from '../../application/ports/lease-sessions.port';
import type { Logger } from '../../application/ports/logger.port';
import type { OutboxStore } from '../../application/ports/outbox-store.port';
import type { PendingInvalidations } from '../../application/ports/pending-invalidations.port';
import type { RedisEffects } from '../../application/ports/redis-effects.port';
import type { RowWriter } from '../../application/ports/row-writer.port';
import type { SchemaCatalog } from '../../application/ports/schema-catalog.port';
import type { SqlDatabase } from '../../application/ports/sql-database.port';
import { OutboxDispatcher } from '../../application/database/writes/outbox-dispatcher';
import { OutboxPostCommit } from '../../application/database/writes/outbox-post-commit';
import { OutboxPendingInvalidations } from '../../application/database/writes/outbox-pending-invalidations';
import { RelayOutbox } from '../../application/database/writes/relay-outbox';
import { RunTransaction } from '../../application/database/writes/run-transaction';
import type { RouteBuilder } from '../../adapters/http/route-builder';
import { dataTransactionRoutes } from '../../adapters/http/routes/data-transaction.routes';
import { InMemoryKeyValueStore } from '../../adapters/in-memory/fallbacks/in-memory-key-value-store';
import { InMemoryRedisEffects } from '../../adapters/in-memory/fallbacks/in-memory-redis-effects';
import { RelayLoop } from '../../adapters/in-process/relay-loop';
import { PgOutboxStore } from '../../adapters/postgres/pg-outbox-store';
import { PgRowWriter } from '../../adapters/postgres/pg-row-writer';
import { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import { RedisEffectApplier } from '../../adapters/redis/redis-effect-applier';
import type { Config } from '../config';
import type { Bind, Get } from '../container';
import type { Lifecycle } from '../lifecycle';
import { TOKENS } from '../tokens';

/** How often the relay looks for effects still owed (Redis down at commit, or an instance gone). */
const RELAY_INTERVAL_MS = 500;

/**
 * The gateway's write path: POST /data/transaction, its transactional outbox, PostCommit (also used
 * by lease commits), PendingInvalidations (read by the read cache) and the outbox relay.
 */
export function bindDataWrites(container: Container, bind: Bind, get: Get): void {
  const logger = () => get<Logger>(TOKENS.Logger);
  const lifecycle = () => get<Lifecycle>(TOKENS.Lifecycle);
  // Looked up when first needed, after every vertical has bound its tokens.
  const optional = <T>(token: symbol): T | null => (container.isBound(token) ? get<T>(token) : null);
  let dispatcher: OutboxDispatcher | undefined;
  const dispatch = () =>
    (dispatcher ??= new OutboxDispatcher(get<RedisEffects>(TOKENS.RedisEffects), optional<CacheInvalidator>(TOKENS.CacheInvalidator), logger()));

  bind<RowWriter>(TOKENS.RowWriter, () => new PgRowWriter());
  bind<OutboxStore>(TOKENS.OutboxStore, () => {
    const db = pgDatabase(get);
    const config = get<Config>(TOKENS.Config);
    const relayDb = new PgSqlDatabase(
      {
        connectionString: config.databaseUrl ?? '',
        ...config.pool,
        min: 0,
        max: 3,
        applicationName: `${config.serviceName}-outbox-relay`,
        // Only outbox bookkeeping runs here: a mark lost in a crash means one more (idempotent, marker-
        // guarded) apply by the relay, so it need not wait for a WAL flush on every request.
        sessionOptions: '-c synchronous_commit=off',
      },
      logger(),
    );
    lifecycle().onClose('outbox relay pool', () => relayDb.close());
    return new PgOutboxStore(db, relayDb);
  });
  bind<RedisEffects>(TOKENS.RedisEffects, () => {
    const redis = get<Redis | null>(TOKENS.RedisClient);
    if (redis) return new RedisEffectApplier(redis);
    const store = get<KeyValueStore>(TOKENS.KeyValueStore);
    if (!(store instanceof InMemoryKeyValueStore)) throw new Error('Without REDIS_URL the outbox applies effects to the in-process store');
    return new InMemoryRedisEffects(store);
  });
  bind<PostCommit>(TOKENS.PostCommit, () =>
    new OutboxPostCommit(get<OutboxStore>(TOKENS.OutboxStore), dispatch(), optional<CacheInvalidator>(TOKENS.CacheInvalidator), logger()),
  );
  bind<PendingInvalidations>(TOKENS.PendingInvalidations, () => new OutboxPendingInvalidations(get<OutboxStore>(TOKENS.OutboxStore)));
  bind<RunTransaction>(TOKENS.RunTransaction, () =>
    new RunTransaction({
      catalog: get<SchemaCatalog>(TOKENS.SchemaCatalog),
      sessions: pgDatabase(get),
      leases: optional<LeaseSessions>(TOKENS.LeaseSessions),
      writer: get<RowWriter>(TOKENS.RowWriter),
      outbox: get<OutboxStore>(TOKENS.OutboxStore),
      postCommit: get<PostCommit>(TOKENS.PostCommit),
    }),
  );
  bind<RelayLoop>(TOKENS.OutboxRelay, () => {
    // Resolved first, so they close after the relay has stopped.
    const relay = new RelayOutbox(get<OutboxStore>(TOKENS.OutboxStore), dispatch(), get<Clock>(TOKENS.Clock));
    const loop = new RelayLoop(() => relay.execute(), RELAY_INTERVAL_MS, logger());
    // Redis back: what it missed is applied now rather than at the next tick.
    get<Redis | null>(TOKENS.RedisClient)?.on('ready', () => loop.trigger());
    lifecycle().onClose('outbox relay', () => loop.stop());
    return loop;
  });
}

/** Mounts the route and starts the relay: an instance that serves writes also finishes their effects. */
export function mountDataWriteRoutes(routes: RouteBuilder, get: Get): void {
  dataTransactionRoutes(routes, { runTransaction: get<RunTransaction>(TOKENS.RunTransaction) });
  get<RelayLoop>(TOKENS.OutboxRelay).start();
}

/** Transactions need dedicated sessions, which only the pg adapter offers. */
function pgDatabase(get: Get): PgSqlDatabase {
  const db = get<SqlDatabase>(TOKENS.SqlDatabase);
  if (!(db instanceof PgSqlDatabase)) throw new Error('Transactions need the PostgreSQL adapter (PgSqlDatabase) bound to SqlDatabase');
  return db;
}
