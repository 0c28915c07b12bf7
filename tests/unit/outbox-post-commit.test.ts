import { InMemoryOutboxStore } from '../../src/adapters/in-memory/fakes/in-memory-outbox-store';
import { InMemoryTables } from '../../src/adapters/in-memory/fakes/in-memory-tables';
import { InMemoryKeyValueStore } from '../../src/adapters/in-memory/fallbacks/in-memory-key-value-store';
import { InMemoryRedisEffects } from '../../src/adapters/in-memory/fallbacks/in-memory-redis-effects';
import { ReadCache } from '../../src/application/database/reads/read-cache';
import { OutboxDispatcher } from '../../src/application/database/writes/outbox-dispatcher';
import { OutboxPostCommit } from '../../src/application/database/writes/outbox-post-commit';
import { postCommitContract } from '../contract/commit-effects.contract';
import { readCacheProbe } from '../support/cached-read-probes';
import { CountingObserver, SwitchableQueryCache } from '../support/read-fakes';
import { outboxWrites } from '../support/outbox-writes';
import { RecordingLogger } from '../support/recording-logger';

/** OutboxPostCommit as wired, over the in-memory outbox, Redis stand-in and query cache. */
postCommitContract(
  'OutboxPostCommit over the in-memory adapters',
  async () => {
    const tables = new InMemoryTables();
    const outbox = new InMemoryOutboxStore(tables);
    const store = new InMemoryKeyValueStore();
    const effects = new InMemoryRedisEffects(store);
    const queryCache = new SwitchableQueryCache();
    const logger = new RecordingLogger();
    const cache = new ReadCache(queryCache, new CountingObserver(), null, logger, { ttlSeconds: 300 });
    const writes = outboxWrites(outbox, () => tables.openSession());
    return {
      postCommit: new OutboxPostCommit(outbox, new OutboxDispatcher(effects, cache, logger), cache, logger),
      cachedRead: readCacheProbe(cache),
      outbox: { commit: writes.commitSet, redisValue: (key) => store.get(key) },
      // Redis holds both the cache and the effects: losing it loses both.
      redisDown: async (down) => void (queryCache.down = effects.down = down),
      close: async () => undefined,
    };
  },
  { outbox: true, outage: true },
);
