import type { Readable } from 'node:stream';

/**
 * pg_restore into a database of the same server as the application's. `archive` is pg_dump's
 * custom format, streamed (never held whole).
 */
export interface DatabaseRestorer {
  databaseExists(name: string): Promise<boolean>;
  /** CREATE DATABASE; `name` is a validated identifier. */
  createDatabase(name: string): Promise<void>;
  /** pg_restore --no-owner of the archive into `name`; rejects with pg_restore's errors. */
  restoreInto(name: string, archive: Readable): Promise<void>;
  /** Exact row counts of every table in the public schema of `name`. */
  rowCounts(name: string): Promise<Record<string, number>>;
  /** Which of `fileIds` have a row in `name`'s files table. */
  existingFileIds(name: string, fileIds: string[]): Promise<Set<string>>;
}
