import type { Clock } from '../../../application/ports/clock.port';
import type { MigrationLock, MigrationStore } from '../../../application/ports/migration-store.port';
import type { NewAuditEntry } from '../../../domain/audit/audit-entry';
import { MigrationFailed } from '../../../domain/database/errors';
import { sortByVersion, type AppliedMigration, type MigrationScript } from '../../../domain/database/migration';

/**
 * The migration store of the unit tests. It cannot run SQL, so a script "fails" when its version
 * was marked with `failOn`, which is how a test makes a migration break halfway.
 */
export class InMemoryMigrationStore implements MigrationStore {
  private readonly records = new Map<string, AppliedMigration>();
  private readonly failures = new Map<string, string>();
  private held = false;
  /** The audit entries applied scripts brought, in order (kept with the script: both or neither). */
  readonly audited: NewAuditEntry[] = [];
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly clock: Clock = { now: () => new Date() }) {}

  failOn(version: string, reason: string): void {
    this.failures.set(version, reason);
  }

  async applied(): Promise<AppliedMigration[]> {
    return sortByVersion([...this.records.values()]);
  }

  async tryLock(): Promise<MigrationLock | null> {
    if (this.held) return null;
    return this.grant();
  }

  async lock(): Promise<MigrationLock> {
    while (this.held) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.grant();
  }

  private grant(): MigrationLock {
    this.held = true;
    let released = false;
    return {
      apply: async (script: MigrationScript, audit?: readonly NewAuditEntry[]) => {
        if (released) throw new Error('The migration lock was released');
        if (this.records.has(script.version)) throw new MigrationFailed(script.version, `version ${script.version} is already applied`);
        const reason = this.failures.get(script.version);
        if (reason !== undefined) throw new MigrationFailed(script.version, reason);
        const record: AppliedMigration = {
          version: script.version,
          description: script.description,
          checksum: script.checksum,
          appliedAt: this.clock.now(),
          durationMs: 0,
        };
        this.records.set(script.version, record);
        this.audited.push(...(audit ?? []));
        return record;
      },
      release: async () => {
        if (released) return;
        released = true;
        this.held = false;
        this.waiters.shift()?.();
      },
    };
  }
}
