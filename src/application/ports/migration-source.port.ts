import type { MigrationScript } from '../../domain/database/migration';

/** Where the versioned migration scripts come from (the migrations folder). */
export interface MigrationSource {
  /** Every known migration, in version order. Throws when a script is malformed or a version repeats. */
  list(): Promise<MigrationScript[]>;
}
