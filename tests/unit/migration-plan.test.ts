import { MigrationDowngradeNotSupported, UnknownMigrationVersion } from '../../src/domain/database/errors';
import type { AppliedMigration } from '../../src/domain/database/migration';
import { migrationStatus, planMigrations } from '../../src/domain/database/migration-plan';
import { aMigrationScript } from '../support/migration-builders';

const known = ['20240115_001', '20240115_002', '20240116_001'].map((v) => aMigrationScript(v).build());
const appliedAs = (version: string, at: string, checksum = known.find((k) => k.version === version)!.checksum): AppliedMigration => ({
  version,
  description: `Migration ${version}`,
  checksum,
  appliedAt: new Date(at),
  durationMs: 10,
});

describe('migrationStatus', () => {
  it('has no current or last migration on an empty database, and everything pending', () => {
    const status = migrationStatus(known, []);
    expect(status).toMatchObject({ currentVersion: null, lastMigration: null, appliedCount: 0, modified: [] });
    expect(status.pending.map((m) => m.version)).toEqual(['20240115_001', '20240115_002', '20240116_001']);
  });

  it('reports the highest applied version, the most recently applied one, and what remains', () => {
    const applied = [appliedAs('20240115_001', '2024-01-15T09:00:00Z'), appliedAs('20240115_002', '2024-01-15T10:00:00Z')];
    const status = migrationStatus(known, applied);
    expect(status.currentVersion).toBe('20240115_002');
    expect(status.lastMigration?.version).toBe('20240115_002');
    expect(status.pending.map((m) => m.version)).toEqual(['20240116_001']);
  });

  it('reports an applied migration whose script changed since, without making it pending again', () => {
    const status = migrationStatus(known, [appliedAs('20240115_001', '2024-01-15T09:00:00Z', 'old-checksum')]);
    expect(status.modified).toEqual([{ version: '20240115_001', appliedChecksum: 'old-checksum', currentChecksum: known[0]!.checksum }]);
    expect(status.pending.map((m) => m.version)).not.toContain('20240115_001');
  });
});

describe('planMigrations', () => {
  it('plans every pending migration in version order', () => {
    expect(planMigrations([...known].reverse(), []).map((m) => m.version)).toEqual(['20240115_001', '20240115_002', '20240116_001']);
  });

  it('stops at the target, inclusive', () => {
    expect(planMigrations(known, [], '20240115_002').map((m) => m.version)).toEqual(['20240115_001', '20240115_002']);
  });

  it('plans nothing when the target is the current version', () => {
    expect(planMigrations(known, [appliedAs('20240115_002', '2024-01-15T09:00:00Z')], '20240115_002').map((m) => m.version)).toEqual(['20240115_001']);
    expect(planMigrations(known, [appliedAs('20240115_001', 'x'), appliedAs('20240115_002', 'x')], '20240115_002')).toEqual([]);
  });

  it('refuses a target that is not a known migration', () => {
    expect(() => planMigrations(known, [], '20991231_001')).toThrow(UnknownMigrationVersion);
  });

  it('refuses a target behind the current version: there are no down migrations', () => {
    const applied = [appliedAs('20240115_001', 'x'), appliedAs('20240115_002', 'x')];
    expect(() => planMigrations(known, applied, '20240115_001')).toThrow(MigrationDowngradeNotSupported);
  });
});
