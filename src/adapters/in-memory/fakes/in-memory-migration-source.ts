import type { MigrationSource } from '../../../application/ports/migration-source.port';
import { sortByVersion, type MigrationScript } from '../../../domain/database/migration';

/** Scripts held in memory; `replace` stands in for editing the migrations folder. */
export class InMemoryMigrationSource implements MigrationSource {
  private scripts: MigrationScript[];

  constructor(scripts: readonly MigrationScript[] = []) {
    this.scripts = [...scripts];
  }

  replace(scripts: readonly MigrationScript[]): void {
    this.scripts = [...scripts];
  }

  async list(): Promise<MigrationScript[]> {
    const versions = new Set<string>();
    for (const script of this.scripts) {
      if (versions.has(script.version)) throw new Error(`Two migrations have version ${script.version}`);
      versions.add(script.version);
    }
    return sortByVersion(this.scripts);
  }
}
