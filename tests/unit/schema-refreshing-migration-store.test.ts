import { InMemoryMigrationStore } from '../../src/adapters/in-memory/fakes/in-memory-migration-store';
import { SchemaRefreshingMigrationStore } from '../../src/application/database/migrations/schema-refreshing-migration-store';
import type { SchemaCatalog } from '../../src/application/ports/schema-catalog.port';
import type { SchemaSnapshot } from '../../src/domain/database/table-schema';
import { capturingLogger } from '../support/capturing-logger';
import { aMigrationScript } from '../support/migration-builders';

class CountingCatalog implements SchemaCatalog {
  refreshes = 0;
  failing = false;
  async snapshot(): Promise<SchemaSnapshot> {
    return { tables: new Map() };
  }
  async refresh(): Promise<SchemaSnapshot> {
    this.refreshes++;
    if (this.failing) throw new Error('database down');
    return this.snapshot();
  }
}

describe('SchemaRefreshingMigrationStore', () => {
  const setup = () => {
    const inner = new InMemoryMigrationStore();
    const catalog = new CountingCatalog();
    const logs = capturingLogger('warn');
    return { inner, catalog, logs, store: new SchemaRefreshingMigrationStore(inner, () => catalog, logs.logger) };
  };

  it('refreshes the catalog after each migration, before apply returns (so before the run records it)', async () => {
    const { store, catalog } = setup();
    const lock = await store.lock();
    await lock.apply(aMigrationScript('20240115_001').build());
    expect(catalog.refreshes).toBe(1);
    await lock.apply(aMigrationScript('20240115_002').build());
    expect(catalog.refreshes).toBe(2);
    await lock.release();
    expect(catalog.refreshes).toBe(2);
    await expect(store.applied()).resolves.toHaveLength(2);
  });

  it('does not refresh for a lock that applied nothing (tryLock as well as lock)', async () => {
    const { store, catalog } = setup();
    await (await store.lock()).release();
    await (await store.tryLock())!.release();
    expect(catalog.refreshes).toBe(0);
  });

  it('refreshes after a failed migration too, and passes the failure on', async () => {
    const { store, catalog, inner } = setup();
    inner.failOn('20240115_002', 'syntax error');
    const lock = await store.lock();
    await lock.apply(aMigrationScript('20240115_001').build());
    await expect(lock.apply(aMigrationScript('20240115_002').build())).rejects.toThrow('syntax error');
    await lock.release();
    expect(catalog.refreshes).toBe(2);
  });

  it('hands out no lock while another holds it', async () => {
    const { store } = setup();
    const held = await store.lock();
    await expect(store.tryLock()).resolves.toBeNull();
    await held.release();
  });

  it('logs a failed refresh without failing the migration (the catalog retries on next use)', async () => {
    const { store, catalog, logs } = setup();
    catalog.failing = true;
    const lock = await store.lock();
    await expect(lock.apply(aMigrationScript('20240115_001').build())).resolves.toMatchObject({ version: '20240115_001' });
    await lock.release();
    expect(JSON.stringify(logs.lines())).toContain('schema refresh after a migration failed');
  });
});
