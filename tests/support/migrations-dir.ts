import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findProjectRoot } from '../../src/infrastructure/paths';

export const SHIPPED_MIGRATIONS_DIR = path.join(findProjectRoot(__dirname), 'migrations');

export interface TempMigrationsDir {
  dir: string;
  /** The shipped versions copied in, in order. */
  shippedVersions: string[];
  write(name: string, content: string): void;
  remove(): void;
}

/** A temporary migrations folder: the shipped scripts (unless told otherwise) plus any extra files. */
export function tempMigrationsDir(options: { shipped?: boolean; extra?: Array<{ name: string; content: string }> } = {}): TempMigrationsDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-migrations-'));
  const shipped = options.shipped ?? true ? fs.readdirSync(SHIPPED_MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort() : [];
  for (const file of shipped) fs.copyFileSync(path.join(SHIPPED_MIGRATIONS_DIR, file), path.join(dir, file));
  const write = (name: string, content: string) => fs.writeFileSync(path.join(dir, name), content);
  for (const file of options.extra ?? []) write(file.name, file.content);
  return {
    dir,
    shippedVersions: shipped.map((f) => f.slice(0, 12)),
    write,
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
