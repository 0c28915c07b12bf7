import { MigrationDowngradeNotSupported, MigrationInProgress, UnknownMigrationVersion } from '../../src/domain/database/errors';
import { newMigrationRun } from '../../src/domain/database/migration-run';
import { aMigrationScript } from '../support/migration-builders';
import { migrationsWorld } from '../support/migrations-world';

const scripts = ['20240115_001', '20240115_002', '20240116_001'].map((v) => aMigrationScript(v).build());
const versions = async (w: ReturnType<typeof migrationsWorld>) => (await w.store.applied()).map((a) => a.version);

describe('RunMigrations', () => {
  it('answers at once with a running run, then applies every pending migration in the background', async () => {
    const w = migrationsWorld(scripts);
    const run = await w.runMigrations.execute();
    expect(run).toMatchObject({ id: 'mig_test1', status: 'running', dryRun: false, targetVersion: null });
    expect(run.steps.map((s) => s.status)).toEqual(['running', 'pending', 'pending']);

    await w.tasks.drain();
    const done = await w.getRun.execute(run.id);
    expect(done.status).toBe('completed');
    expect(done.steps.map((s) => s.status)).toEqual(['completed', 'completed', 'completed']);
    expect(await versions(w)).toEqual(['20240115_001', '20240115_002', '20240116_001']);
    // The lock was given back.
    const lock = await w.store.tryLock();
    expect(lock).not.toBeNull();
    await lock!.release();
  });

  it('refuses a second run while one holds the lock, naming it', async () => {
    const w = migrationsWorld(scripts);
    const first = await w.runMigrations.execute();
    const second = await w.runMigrations.execute().catch((e: unknown) => e);
    expect(second).toBeInstanceOf(MigrationInProgress);
    expect(second).toMatchObject({ code: 'MIGRATION_IN_PROGRESS', details: { migration_id: first.id } });
    await w.tasks.drain();
  });

  it('refuses a run while another instance holds the lock', async () => {
    const w = migrationsWorld(scripts);
    const held = (await w.store.tryLock())!;
    await expect(w.runMigrations.execute()).rejects.toBeInstanceOf(MigrationInProgress);
    await held.release();
    expect(await versions(w)).toEqual([]);
  });

  it('stops at the target version', async () => {
    const w = migrationsWorld(scripts);
    const run = await w.runMigrations.execute({ targetVersion: '20240115_002' });
    await w.tasks.drain();
    expect((await w.getRun.execute(run.id)).status).toBe('completed');
    expect(await versions(w)).toEqual(['20240115_001', '20240115_002']);
  });

  it('refuses an unknown target before taking the lock', async () => {
    const w = migrationsWorld(scripts);
    await expect(w.runMigrations.execute({ targetVersion: '20991231_001' })).rejects.toBeInstanceOf(UnknownMigrationVersion);
    const lock = await w.store.tryLock();
    expect(lock).not.toBeNull();
    await lock!.release();
  });

  it('refuses a target behind the current version, and gives the lock back', async () => {
    const w = migrationsWorld(scripts);
    await w.migrateToLatest.execute();
    await expect(w.runMigrations.execute({ targetVersion: '20240115_001' })).rejects.toBeInstanceOf(MigrationDowngradeNotSupported);
    const lock = await w.store.tryLock();
    expect(lock).not.toBeNull();
    await lock!.release();
  });

  it('plans a dry run without applying or locking anything', async () => {
    const w = migrationsWorld(scripts);
    const held = (await w.store.tryLock())!;
    const run = await w.runMigrations.execute({ dryRun: true, targetVersion: '20240115_002' });
    await held.release();
    expect(run).toMatchObject({ status: 'completed', dryRun: true, targetVersion: '20240115_002' });
    expect(run.steps.map((s) => [s.version, s.status])).toEqual([
      ['20240115_001', 'pending'],
      ['20240115_002', 'pending'],
    ]);
    expect(await versions(w)).toEqual([]);
  });

  it('completes at once when nothing is pending', async () => {
    const w = migrationsWorld(scripts);
    await w.migrateToLatest.execute();
    const run = await w.runMigrations.execute();
    expect(run).toMatchObject({ status: 'completed', steps: [] });
    expect(await w.getRun.execute(run.id)).toEqual(run);
  });

  it('stops at a failing migration, keeps the earlier ones, and reports the failure on the run', async () => {
    const w = migrationsWorld(scripts);
    w.store.failOn('20240115_002', 'relation "nope" does not exist');
    const run = await w.runMigrations.execute();
    await w.tasks.drain();
    const failed = await w.getRun.execute(run.id);
    expect(failed).toMatchObject({ status: 'failed', error: { version: '20240115_002', message: 'relation "nope" does not exist' } });
    expect(failed.steps.map((s) => s.status)).toEqual(['completed', 'failed', 'skipped']);
    expect(await versions(w)).toEqual(['20240115_001']);
    const lock = await w.store.tryLock();
    expect(lock).not.toBeNull();
    await lock!.release();
  });

  it('marks a run left running by a stopped process as interrupted when it next takes the lock', async () => {
    const w = migrationsWorld(scripts);
    await w.runs.save(newMigrationRun({ id: 'mig_orphan', plan: scripts, targetVersion: null, dryRun: false, now: new Date() }));
    await w.runMigrations.execute();
    await w.tasks.drain();
    expect(await w.getRun.execute('mig_orphan')).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(/interrupted/) } });
  });
});
