import type { Readable } from 'node:stream';

/** Whether the dump tools can back up this server, and if not, what to install. */
export type DumpToolStatus =
  | { available: true; version: string; serverMajorVersion: number }
  | { available: false; reason: string; package: string; serverMajorVersion: number | null; foundVersion: string | null };

/** A running dump: the archive's bytes, and how it ended. */
export interface RunningDump {
  /** The archive (pg_dump custom format) as it is produced: read it, never buffer it whole. */
  readonly archive: Readable;
  /** Resolves when the tool exited cleanly; rejects (with its error output) otherwise. */
  readonly finished: Promise<void>;
  /** Stops the tool (a failure elsewhere); `finished` then rejects. */
  abort(): void;
}

/**
 * One consistent view of the database, held open while the archive and the manifest are taken from
 * it, so both describe the same moment. Closing with `keep: true` commits the manifest rows written
 * through it; `keep: false` (any failure) leaves none.
 */
export interface DatabaseSnapshot {
  readonly serverVersion: string;
  readonly migrationVersion: string | null;
  /** Tables whose contents the archive will hold (the backup bookkeeping and the queue excluded). */
  readonly tablesTotal: number;
  /** Copies every files row of the snapshot into the backup's manifest; the count. The backup must have been recorded before the snapshot was opened (the snapshot sees nothing later). */
  recordManifest(backupId: string): Promise<number>;
  /** Starts the dump of the snapshot; `onTableDumped` fires as each table's contents are written. */
  dump(onTableDumped: () => void): RunningDump;
  close(options: { keep: boolean }): Promise<void>;
}

/** pg_dump of the application database (PostgreSQL's own tools, or a fake in tests). */
export interface DatabaseDumper {
  tools(): Promise<DumpToolStatus>;
  openSnapshot(): Promise<DatabaseSnapshot>;
}
