import type { Logger } from '../../ports/logger.port';
import type { MigrationLock, MigrationStore } from '../../ports/migration-store.port';
import type { SchemaCatalog } from '../../ports/schema-catalog.port';

/**
 * Every migration, whether run in the background or at start, is applied through a lock; this
 * decorator re-introspects the schema right after each one, before the run can record it as done,
 * so a client that sees the run completed can already query the new tables. The use cases stay
 * unaware of the catalog.
 */
export class SchemaRefreshingMigrationStore implements MigrationStore {
  constructor(
    private readonly inner: MigrationStore,
    private readonly catalog: () => SchemaCatalog,
    private readonly logger: Logger,
  ) {}

  applied() {
    return this.inner.applied();
  }

  async tryLock(): Promise<MigrationLock | null> {
    const lock = await this.inner.tryLock();
    return lock && this.watch(lock);
  }

  async lock(): Promise<MigrationLock> {
    return this.watch(await this.inner.lock());
  }

  private watch(lock: MigrationLock): MigrationLock {
    return {
      apply: async (script, audit) => {
        try {
          return await lock.apply(script, audit);
        } finally {
          // After a failure too: refreshing is cheap, a stale catalog is not.
          await this.refresh();
        }
      },
      release: () => lock.release(),
    };
  }

  private async refresh(): Promise<void> {
    try {
      await this.catalog().refresh();
    } catch (error) {
      // The catalog drops a failed introspection and retries on next use; the migration's outcome stands.
      this.logger.warn({ err: { message: (error as Error)?.message } }, 'schema refresh after a migration failed');
    }
  }
}
