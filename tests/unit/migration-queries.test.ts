import { MigrationsProbe } from '../../src/application/health/migrations-probe';
import { aMigrationScript } from '../support/migration-builders';
import { migrationsWorld } from '../support/migrations-world';

const scripts = ['20240115_001', '20240116_001'].map((v) => aMigrationScript(v).build());

describe('GetMigrationStatus', () => {
  it('lists every migration as pending on an empty database', async () => {
    const w = migrationsWorld(scripts);
    const status = await w.getStatus.execute();
    expect(status).toMatchObject({ currentVersion: null, lastMigration: null });
    expect(status.pending.map((m) => m.version)).toEqual(['20240115_001', '20240116_001']);
  });

  it('reports where the database stands after a run', async () => {
    const w = migrationsWorld(scripts);
    await w.migrateToLatest.execute();
    const status = await w.getStatus.execute();
    expect(status).toMatchObject({ currentVersion: '20240116_001', pending: [], appliedCount: 2, lastMigration: { version: '20240116_001' } });
  });
});

describe('GetMigrationRun', () => {
  it('answers NotFound for an unknown run', async () => {
    await expect(migrationsWorld(scripts).getRun.execute('mig_nope')).rejects.toMatchObject({ code: 'NOT_FOUND', details: { migration_id: 'mig_nope' } });
  });
});

describe('MigrationsProbe', () => {
  it('is DEGRADED while migrations are pending, UP once applied', async () => {
    const w = migrationsWorld(scripts);
    const probe = new MigrationsProbe(w.getStatus);
    expect(probe).toMatchObject({ name: 'migrations', critical: false });
    expect(await probe.check()).toMatchObject({ status: 'DEGRADED', facts: { migrations: 'pending', current_version: null, pending_count: 2 } });
    await w.migrateToLatest.execute();
    expect(await probe.check()).toMatchObject({ status: 'UP', facts: { migrations: 'up_to_date', current_version: '20240116_001', pending_count: 0 } });
  });
});
