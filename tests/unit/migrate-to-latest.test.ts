import { MigrationFailed } from '../../src/domain/database/errors';
import { aMigrationScript } from '../support/migration-builders';
import { migrationsWorld } from '../support/migrations-world';

const scripts = ['20240115_001', '20240115_002', '20240116_001'].map((v) => aMigrationScript(v).build());

describe('MigrateToLatest', () => {
  it('applies every pending migration and records the run', async () => {
    const w = migrationsWorld(scripts);
    await w.migrateToLatest.execute();
    expect((await w.store.applied()).map((a) => a.version)).toEqual(scripts.map((s) => s.version));
    expect(await w.getRun.execute('mig_test1')).toMatchObject({ status: 'completed' });
  });

  it('does nothing, and records nothing, when up to date', async () => {
    const w = migrationsWorld(scripts);
    await w.migrateToLatest.execute();
    await w.migrateToLatest.execute();
    await expect(w.getRun.execute('mig_test2')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('waits for another holder of the lock instead of failing', async () => {
    const w = migrationsWorld(scripts);
    const held = (await w.store.tryLock())!;
    let finished = false;
    const migrating = w.migrateToLatest.execute().then(() => {
      finished = true;
    });
    await w.store.applied();
    expect(finished).toBe(false);
    await held.release();
    await migrating;
    expect(await w.store.applied()).toHaveLength(3);
  });

  it('throws when a migration fails, after keeping the earlier ones and releasing the lock', async () => {
    const w = migrationsWorld(scripts);
    w.store.failOn('20240116_001', 'syntax error at or near "CREAT"');
    await expect(w.migrateToLatest.execute()).rejects.toEqual(new MigrationFailed('20240116_001', 'syntax error at or near "CREAT"'));
    expect((await w.store.applied()).map((a) => a.version)).toEqual(['20240115_001', '20240115_002']);
    const lock = await w.store.tryLock();
    expect(lock).not.toBeNull();
    await lock!.release();
  });

  it('warns about an applied migration changed since, and does not re-run it', async () => {
    const w = migrationsWorld(scripts);
    await w.migrateToLatest.execute();
    w.source.replace([aMigrationScript('20240115_001').withSql('CREATE TABLE changed (id INT);').build(), ...scripts.slice(1)]);
    await w.migrateToLatest.execute();
    expect(w.logger.entries).toContainEqual(expect.objectContaining({ level: 'warn', obj: { version: '20240115_001' } }));
    expect(await w.store.applied()).toHaveLength(3);
  });
});
