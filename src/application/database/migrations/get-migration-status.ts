import type { MigrationSource } from '../../ports/migration-source.port';
import type { MigrationStore } from '../../ports/migration-store.port';
import { migrationStatus, type MigrationStatus } from '../../../domain/database/migration-plan';

/** Where the database stands against the known migrations, including scripts changed after being applied. */
export class GetMigrationStatus {
  constructor(
    private readonly source: MigrationSource,
    private readonly store: MigrationStore,
  ) {}

  async execute(): Promise<MigrationStatus> {
    const [known, applied] = await Promise.all([this.source.list(), this.store.applied()]);
    return migrationStatus(known, applied);
  }
}
