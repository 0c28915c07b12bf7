import type { MigrationRunStore } from '../../../application/ports/migration-run-store.port';
import type { MigrationRun } from '../../../domain/database/migration-run';

export class InMemoryMigrationRunStore implements MigrationRunStore {
  private readonly runs = new Map<string, MigrationRun>();

  async save(run: MigrationRun): Promise<void> {
    // Copies both ways, as a database would: a caller's later change to its object is not stored.
    this.runs.set(run.id, structuredClone(run));
  }

  async get(id: string): Promise<MigrationRun | null> {
    const run = this.runs.get(id);
    return run ? structuredClone(run) : null;
  }

  async running(): Promise<MigrationRun[]> {
    return [...this.runs.values()].filter((r) => r.status === 'running').map((r) => structuredClone(r));
  }
}
