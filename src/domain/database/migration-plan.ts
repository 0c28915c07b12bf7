import { MigrationDowngradeNotSupported, UnknownMigrationVersion } from './errors';
import { compareVersions, sortByVersion, type AppliedMigration, type MigrationDefinition } from './migration';

/** An applied migration whose script no longer matches what was applied. */
export interface ModifiedMigration {
  readonly version: string;
  readonly appliedChecksum: string;
  readonly currentChecksum: string;
}

export interface MigrationStatus {
  /** The highest applied version; null on a database nothing was applied to. */
  readonly currentVersion: string | null;
  readonly pending: readonly MigrationDefinition[];
  /** The most recently applied migration. */
  readonly lastMigration: AppliedMigration | null;
  readonly appliedCount: number;
  readonly modified: readonly ModifiedMigration[];
}

export function currentVersion(applied: readonly AppliedMigration[]): string | null {
  return applied.reduce<string | null>((max, a) => (max === null || compareVersions(a.version, max) > 0 ? a.version : max), null);
}

export function migrationStatus(known: readonly MigrationDefinition[], applied: readonly AppliedMigration[]): MigrationStatus {
  const appliedByVersion = new Map(applied.map((a) => [a.version, a]));
  const modified: ModifiedMigration[] = [];
  for (const definition of sortByVersion(known)) {
    const record = appliedByVersion.get(definition.version);
    if (record && record.checksum !== definition.checksum) {
      modified.push({ version: definition.version, appliedChecksum: record.checksum, currentChecksum: definition.checksum });
    }
  }
  const lastMigration = applied.reduce<AppliedMigration | null>((last, a) => {
    if (!last) return a;
    const byTime = a.appliedAt.getTime() - last.appliedAt.getTime();
    return byTime > 0 || (byTime === 0 && compareVersions(a.version, last.version) > 0) ? a : last;
  }, null);
  return {
    currentVersion: currentVersion(applied),
    pending: pendingMigrations(known, applied),
    lastMigration,
    appliedCount: applied.length,
    modified,
  };
}

/** Known and not applied, in version order (an older file added late is pending too). */
export function pendingMigrations<T extends MigrationDefinition>(known: readonly T[], applied: readonly AppliedMigration[]): T[] {
  const done = new Set(applied.map((a) => a.version));
  return sortByVersion(known.filter((m) => !done.has(m.version)));
}

/** Fails before anything else is done when the target names no known migration. */
export function assertKnownTarget(known: readonly MigrationDefinition[], targetVersion: string | undefined): void {
  if (targetVersion !== undefined && !known.some((m) => m.version === targetVersion)) throw new UnknownMigrationVersion(targetVersion);
}

/**
 * What a run applies: every pending migration up to and including the target (all when there is
 * none). A target behind the current version would need down migrations, which do not exist.
 */
export function planMigrations<T extends MigrationDefinition>(
  known: readonly T[],
  applied: readonly AppliedMigration[],
  targetVersion?: string,
): T[] {
  assertKnownTarget(known, targetVersion);
  const pending = pendingMigrations(known, applied);
  if (targetVersion === undefined) return pending;
  const current = currentVersion(applied);
  if (current !== null && compareVersions(targetVersion, current) < 0) throw new MigrationDowngradeNotSupported(targetVersion, current);
  return pending.filter((m) => compareVersions(m.version, targetVersion) <= 0);
}
