import fs from 'node:fs/promises';
import path from 'node:path';
import type { MigrationSource } from '../../application/ports/migration-source.port';
import { sortByVersion, type MigrationScript } from '../../domain/database/migration';
import { InvalidMigrationScript, parseMigrationFile } from './migration-file';

/**
 * The migrations folder, read on every call so a deployment's new scripts show without a restart.
 * Any `.sql` file must be a valid migration: a misnamed one silently skipped would never run.
 */
export class FileMigrationSource implements MigrationSource {
  constructor(private readonly dir: string) {}

  async list(): Promise<MigrationScript[]> {
    const entries = await fs.readdir(this.dir, { withFileTypes: true });
    const files = entries.filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.sql')).map((e) => e.name);
    const scripts = await Promise.all(
      files.map(async (file) => parseMigrationFile(file, await fs.readFile(path.join(this.dir, file), 'utf8'))),
    );
    const byVersion = new Map<string, string>();
    files.forEach((file, i) => {
      const version = scripts[i]!.version;
      const other = byVersion.get(version);
      if (other) throw new InvalidMigrationScript(file, `version ${version} is also used by ${other}`);
      byVersion.set(version, file);
    });
    return sortByVersion(scripts);
  }
}
