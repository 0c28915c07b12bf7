import type { RedisConnection } from '../../adapters/redis/redis-client';
import type { AuditTrail } from '../../application/ports/audit-trail.port';
import type { CacheInvalidator } from '../../application/ports/cache-invalidator.port';
import type { Clock } from '../../application/ports/clock.port';
import type { PostCommit } from '../../application/ports/commit-effects.port';
import type { LeaseSessions } from '../../application/ports/lease-sessions.port';
import type { Logger } from '../../application/ports/logger.port';
import type { OutboxStore } from '../../application/ports/outbox-store.port';
import type { PendingInvalidations } from '../../application/ports/pending-invalidations.port';
import type { RedisEffects } from '../../application/ports/redis-effects.port';
import type { RowWriter } from '../../application/ports/row-writer.port';
import type { SchemaCatalog } from '../../application/ports/schema-catalog.port';
import { OutboxDispatcher } from '../../application/database/writes/outbox-dispatcher';
import { OutboxPostCommit } from '../../application/database/writes/outbox-post-commit';
import { OutboxPendingInvalidations } from '../../application/database/writes/outbox-pending-invalidations';
import { RelayOutbox } from '../../application/database/writes/relay-outbox';
import { RunTransaction } from '../../application/database/writes/run-transaction';
import { dataTransactionRoutes } from '../../adapters/http/routes/data-transaction.routes';
import { InMemoryRedisEffects } from '../../adapters/in-memory/fallbacks/in-memory-redis-effects';
import { RelayLoop } from '../../adapters/in-process/relay-loop';
import { PgPreparedStatements } from '../../adapters/postgres/pg-prepared-statements';
import { PgOutboxStore } from '../../adapters/postgres/pg-outbox-store';
import { PgRowWriter } from '../../adapters/postgres/pg-row-writer';
import { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import { RedisEffectApplier } from '../../adapters/redis/redis-effect-applier';
import { every, type BackgroundTask, type Capability } from '../background-task';
import type { Bind } from '../binder';
import type { Config } from '../config';
import type { Lifecycle } from '../lifecycle';
import { TOKENS } from '../tokens';
import type { KeyValueBackend } from './key-value.bindings';
import { writerWithEncryption, type ColumnEncryption } from './column-encryption.bindings';

/** How often the relay looks for effects still owed (Redis down at commit, or an instance gone). */
const RELAY_INTERVAL_MS = 500;

/**
 * The gateway's write path: POST /data/transaction, its transactional outbox, PostCommit (also used
 * by lease commits), PendingInvalidations (read by the read cache) and the outbox relay.
 */
export function bindDataWrites(bind: Bind): void {
  bind(TOKENS.RowWriter, (encryption: ColumnEncryption): RowWriter => writerWithEncryption(new PgRowWriter(), encryption), [TOKENS.ColumnEncryption]);
  bind(
    TOKENS.OutboxStore,
    (config: Config, db: PgSqlDatabase, logger: Logger, lifecycle: Lifecycle): OutboxStore => {
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
        logger,
      );
      lifecycle.onClose('outbox relay pool', () => relayDb.close());
      // Behind PgBouncer in transaction mode (before 1.21) a name prepared on one server connection is unknown on the next.
      return new PgOutboxStore(db, relayDb, undefined, new PgPreparedStatements(config.preparedStatements ? undefined : 0));
    },
    [TOKENS.Config, TOKENS.PgSqlDatabase, TOKENS.Logger, TOKENS.Lifecycle],
  );
  bind(
    TOKENS.RedisEffects,
    (backend: KeyValueBackend): RedisEffects => (backend.kind === 'redis' ? new RedisEffectApplier(backend.client) : new InMemoryRedisEffects(backend.store)),
    [TOKENS.KeyValueBackend],
  );
  bind(
    TOKENS.OutboxDispatcher,
    (effects: RedisEffects, invalidator: CacheInvalidator, logger: Logger) => new OutboxDispatcher(effects, invalidator, logger),
    [TOKENS.RedisEffects, TOKENS.CacheInvalidator, TOKENS.Logger],
  );
  bind(
    TOKENS.PostCommit,
    (outbox: OutboxStore, dispatcher: OutboxDispatcher, invalidator: CacheInvalidator, logger: Logger, lifecycle: Lifecycle): PostCommit => {
      const postCommit = new OutboxPostCommit(outbox, dispatcher, invalidator, logger);
      // The applied-marks queued after responses are written before the pool (opened earlier) closes.
      lifecycle.onClose('outbox applied-marks', () => postCommit.settled());
      return postCommit;
    },
    [TOKENS.OutboxStore, TOKENS.OutboxDispatcher, TOKENS.CacheInvalidator, TOKENS.Logger, TOKENS.Lifecycle],
  );
  bind(TOKENS.PendingInvalidations, (outbox: OutboxStore): PendingInvalidations => new OutboxPendingInvalidations(outbox), [TOKENS.OutboxStore]);
  bind(
    TOKENS.RunTransaction,
    (catalog: SchemaCatalog, sessions: PgSqlDatabase, leases: LeaseSessions, writer: RowWriter, outbox: OutboxStore, postCommit: PostCommit, audit: AuditTrail) =>
      new RunTransaction({ catalog, sessions, leases, writer, outbox, postCommit, audit }),
    [TOKENS.SchemaCatalog, TOKENS.PgSqlDatabase, TOKENS.LeaseSessions, TOKENS.RowWriter, TOKENS.OutboxStore, TOKENS.PostCommit, TOKENS.AuditTrail],
  );
  bind(
    TOKENS.OutboxRelay,
    (outbox: OutboxStore, dispatcher: OutboxDispatcher, clock: Clock, redis: RedisConnection | null, logger: Logger) =>
      outboxRelay(new RelayOutbox(outbox, dispatcher, clock), redis, logger),
    [TOKENS.OutboxStore, TOKENS.OutboxDispatcher, TOKENS.Clock, TOKENS.RedisClient, TOKENS.Logger],
  );

  bind(
    TOKENS.DataWritesModule,
    (runTransaction: RunTransaction, relay: BackgroundTask): Capability => ({
      mountRoutes(routes) {
        dataTransactionRoutes(routes, { runTransaction });
      },
      // An instance that serves writes also finishes their effects.
      tasks: [relay],
    }),
    [TOKENS.RunTransaction, TOKENS.OutboxRelay],
  );
}

/** The relay's passes, and one at once when Redis comes back: what it missed is applied now rather than at the next tick. */
function outboxRelay(relay: RelayOutbox, redis: RedisConnection | null, logger: Logger): BackgroundTask {
  let loop: RelayLoop | null = null;
  const trigger = () => loop?.trigger();
  return {
    name: 'outbox relay',
    schedule: every(RELAY_INTERVAL_MS),
    start() {
      if (loop) return;
      loop = new RelayLoop(() => relay.execute(), RELAY_INTERVAL_MS, logger);
      redis?.on('ready', trigger);
      loop.start();
    },
    async stop() {
      const running = loop;
      loop = null;
      redis?.off('ready', trigger);
      await running?.stop();
    },
  };
}
