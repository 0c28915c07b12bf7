import { FileMigrationSource } from '../../src/adapters/file-system/file-migration-source';
import { PgMigrationRunStore } from '../../src/adapters/postgres/pg-migration-run-store';
import { PgMigrationStore } from '../../src/adapters/postgres/pg-migration-store';
import type { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { MigrateToLatest } from '../../src/application/database/migrations/migrate-to-latest';
import { SHIPPED_MIGRATIONS_DIR } from './migrations-dir';
import { testPgDatabase } from './pg-database';
import { RecordingLogger } from './recording-logger';
import { scratchDatabase } from './scratch-database';

export interface MigratedScratchDatabase {
  url: string;
  db: PgSqlDatabase;
  /** Closes the pool, then drops the database. */
  close(): Promise<void>;
}

/** A database of its own with the shipped migrations applied, for adapters that must not share state. */
export async function migratedScratchDatabase(): Promise<MigratedScratchDatabase> {
  const scratch = await scratchDatabase();
  const db = testPgDatabase(scratch.url);
  await new MigrateToLatest(new FileMigrationSource(SHIPPED_MIGRATIONS_DIR), new PgMigrationStore(db), new PgMigrationRunStore(db), { now: () => new Date() }, new RecordingLogger()).execute();
  return {
    url: scratch.url,
    db,
    close: async () => {
      await db.close();
      await scratch.drop();
    },
  };
}
