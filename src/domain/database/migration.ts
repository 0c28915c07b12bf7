/** `YYYYMMDD_NNN`: sorts lexically in the order migrations must run. */
export const MIGRATION_VERSION_PATTERN = /^\d{8}_\d{3}$/;

export function isMigrationVersion(value: string): boolean {
  return MIGRATION_VERSION_PATTERN.test(value);
}

export function compareVersions(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A migration the service knows about, whether applied or not. */
export interface MigrationDefinition {
  readonly version: string;
  readonly description: string;
  /** Hash of the script's text: an applied migration whose script changed since is reported, never re-run. */
  readonly checksum: string;
  readonly estimatedDurationMs: number;
}

/** A definition with the SQL that applies it. */
export interface MigrationScript extends MigrationDefinition {
  readonly sql: string;
}

/** The bookkeeping row written in the same transaction as the migration's own statements. */
export interface AppliedMigration {
  readonly version: string;
  readonly description: string;
  readonly checksum: string;
  readonly appliedAt: Date;
  readonly durationMs: number;
}

export function sortByVersion<T extends { version: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => compareVersions(a.version, b.version));
}
