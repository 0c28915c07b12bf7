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
  /**
   * pg_restore --clean --if-exists --single-transaction of the archive over `name`, which is in use
   * (the live database): every object the archive holds is dropped and re-created with its rows, in
   * one transaction, so a failure leaves `name` as it was. Sessions there idle inside a transaction
   * (they hold locks nobody will release) are ended first; a lock still not granted within
   * `lockTimeoutMs` fails the restore instead of waiting (or deadlocking) behind it.
   */
  restoreOver(name: string, archive: Readable, lockTimeoutMs: number): Promise<void>;
  /** Exact row counts of every table in the public schema of `name`. */
  rowCounts(name: string): Promise<Record<string, number>>;
  /** Which of `fileIds` have a row in `name`'s files table. */
  existingFileIds(name: string, fileIds: string[]): Promise<Set<string>>;
}
