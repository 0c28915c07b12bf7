import type { MigrationRunStore } from '../../ports/migration-run-store.port';
import type { MigrationRun } from '../../../domain/database/migration-run';
import { NotFound } from '../../../domain/shared/errors';

export class GetMigrationRun {
  constructor(private readonly runs: MigrationRunStore) {}

  async execute(id: string): Promise<MigrationRun> {
    const run = await this.runs.get(id);
    if (!run) throw new NotFound(`No migration run ${id}`, { migration_id: id });
    return run;
  }
}
