import { InMemoryCdnCacheStore } from '../../src/adapters/in-memory/fakes/in-memory-cdn-cache-store';
import { InMemoryMigrationSource } from '../../src/adapters/in-memory/fakes/in-memory-migration-source';
import { InMemoryMigrationStore } from '../../src/adapters/in-memory/fakes/in-memory-migration-store';
import { InMemoryObjectStore } from '../../src/adapters/in-memory/fakes/in-memory-object-store';
import { InMemoryKeyValueStore } from '../../src/adapters/in-memory/fallbacks/in-memory-key-value-store';
import type { CdnStats, CdnStatsQuery } from '../../src/application/ports/cdn-cache-store.port';
import { GetMigrationStatus } from '../../src/application/database/migrations/get-migration-status';
import { CdnProbe } from '../../src/application/health/cdn-probe';
import { DatabaseProbe } from '../../src/application/health/database-probe';
import { KeyValueProbe } from '../../src/application/health/key-value-probe';
import { MigrationsProbe } from '../../src/application/health/migrations-probe';
import { ObjectStoreProbe } from '../../src/application/health/object-store-probe';
import type { AppliedMigration } from '../../src/domain/database/migration';
import type { KeyValueStats } from '../../src/application/ports/key-value-store.port';
import type { SqlDatabase } from '../../src/application/ports/sql-database.port';
import { DatabaseUnavailable, KeyValueUnavailable } from '../../src/domain/shared/errors';
import { dependencyProbeContract } from '../contract/dependency-probe.contract';
import { FakeClock } from '../support/fake-clock';

/** The health probes over the unit tests' fakes, each fake given a way to fail as its real dependency would. */

class SwitchablePool implements SqlDatabase {
  down = false;
  async ping(): Promise<void> {
    if (this.down) throw new DatabaseUnavailable('Unable to reach the database');
  }
  poolStats() {
    return { active: 1, idle: 2, waiting: 0, total: 3, max: 10 };
  }
  async close(): Promise<void> {}
}

class SwitchableKeyValueStore extends InMemoryKeyValueStore {
  down = false;
  override async stats(): Promise<KeyValueStats> {
    if (this.down) throw new KeyValueUnavailable('Redis is unavailable', { store: 'redis' });
    return super.stats();
  }
}

class SwitchableMigrationStore extends InMemoryMigrationStore {
  down = false;
  override async applied(): Promise<AppliedMigration[]> {
    if (this.down) throw new DatabaseUnavailable('Unable to reach the database');
    return super.applied();
  }
}

class SwitchableCdnCacheStore extends InMemoryCdnCacheStore {
  down = false;
  override async stats(q: CdnStatsQuery): Promise<CdnStats> {
    if (this.down) throw new DatabaseUnavailable('Unable to reach the database');
    return super.stats(q);
  }
}

const nothingToClose = async () => undefined;

dependencyProbeContract('DatabaseProbe over a switchable pool', async () => {
  const pool = new SwitchablePool();
  return { probe: new DatabaseProbe(pool), breakDependency: async () => void (pool.down = true), close: nothingToClose };
});

dependencyProbeContract('KeyValueProbe over InMemoryKeyValueStore', async () => {
  const store = new SwitchableKeyValueStore();
  return { probe: new KeyValueProbe(store), breakDependency: async () => void (store.down = true), close: nothingToClose };
});

dependencyProbeContract('MigrationsProbe over the in-memory migration adapters', async () => {
  const store = new SwitchableMigrationStore();
  const probe = new MigrationsProbe(new GetMigrationStatus(new InMemoryMigrationSource(), store));
  return { probe, breakDependency: async () => void (store.down = true), close: nothingToClose };
});

dependencyProbeContract('ObjectStoreProbe over InMemoryObjectStore', async () => {
  const store = new InMemoryObjectStore();
  return { probe: new ObjectStoreProbe(store.provider, store, 'primary'), breakDependency: async () => store.setAvailable(false), close: nothingToClose };
});

dependencyProbeContract('CdnProbe over InMemoryCdnCacheStore', async () => {
  const store = new SwitchableCdnCacheStore({ findById: async () => null });
  return { probe: new CdnProbe(['varnish'], store, 'cdn_log', new FakeClock()), breakDependency: async () => void (store.down = true), close: nothingToClose };
});
