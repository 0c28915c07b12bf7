import { randomUUID } from 'node:crypto';
import { InMemoryRestores } from '../../src/adapters/in-memory/fakes/in-memory-restores';
import { MaintenanceGate } from '../../src/application/database/restores/maintenance-gate';
import type { RestoreRepository } from '../../src/application/ports/restore-repository.port';
import { UnderMaintenance } from '../../src/domain/database/restore-errors';
import { aNewRestore } from '../contract/restore-repository.contract';
import { RecordingLogger } from '../support/recording-logger';

describe('MaintenanceGate', () => {
  let now = 0;
  const gateOver = (restores: RestoreRepository, logger = new RecordingLogger()) => new MaintenanceGate(restores, logger, { cacheMs: 1_000, retryAfterSeconds: 5, now: () => now });

  beforeEach(() => {
    now = 0;
  });

  it('lets writes through without a restore, or while only a new_database one runs', async () => {
    const restores = new InMemoryRestores();
    const gate = gateOver(restores);
    await expect(gate.assertWritable()).resolves.toBeUndefined();
    await restores.create(aNewRestore({ target: 'new_database' }));
    now += 2_000;
    await expect(gate.assertWritable()).resolves.toBeUndefined();
  });

  it('reuses its answer for cacheMs, and forget() makes the next write ask again at once', async () => {
    const restores = new InMemoryRestores();
    const gate = gateOver(restores);
    await gate.assertWritable();
    const live = aNewRestore({ target: 'in_place', databaseName: 'live' });
    await restores.create(live);
    // Another instance started it: this one sees it within a second.
    await expect(gate.assertWritable()).resolves.toBeUndefined();
    now += 1_000;
    const refused = await gate.assertWritable().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UnderMaintenance);
    expect((refused as UnderMaintenance).details).toEqual({ restore_id: live.id, retry_after: 5 });

    await restores.complete(live.id, { row_counts: {}, files_in_manifest: 0, files_restored: 0, files_missing: 0 }, { phase: 'completed', bytes_read: 0 }, new Date());
    await expect(gate.assertWritable()).rejects.toBeInstanceOf(UnderMaintenance);
    gate.forget();
    await expect(gate.assertWritable()).resolves.toBeUndefined();
  });

  it('asks once for many writes arriving together', async () => {
    let asked = 0;
    const restores = { activeInPlace: async () => (asked++, { id: randomUUID() }) } as unknown as RestoreRepository;
    const gate = gateOver(restores);
    const answers = await Promise.allSettled([gate.assertWritable(), gate.assertWritable(), gate.assertWritable()]);
    expect(answers.every((a) => a.status === 'rejected')).toBe(true);
    expect(asked).toBe(1);
  });

  it('does not hold writes back when the state cannot be read (the write meets the database itself), and says so', async () => {
    const logger = new RecordingLogger();
    const restores = { activeInPlace: async () => Promise.reject(new Error('connection refused')) } as unknown as RestoreRepository;
    await expect(gateOver(restores, logger).assertWritable()).resolves.toBeUndefined();
    expect(logger.entries).toEqual([expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/maintenance state unreadable/) })]);
  });
});

describe('MaintenanceGate during an outage', () => {
  it('asks again only after cacheMs and warns once until the state can be read again', async () => {
    let now = 0;
    let asked = 0;
    let down = true;
    const logger = new RecordingLogger();
    const restores = {
      activeInPlace: async () => {
        asked += 1;
        if (down) throw new Error('connection refused');
        return null;
      },
    } as unknown as RestoreRepository;
    const gate = new MaintenanceGate(restores, logger, { cacheMs: 1_000, retryAfterSeconds: 5, now: () => now });
    await gate.assertWritable();
    await gate.assertWritable();
    expect(asked).toBe(1);
    now += 1_000;
    await gate.assertWritable();
    expect(asked).toBe(2);
    expect(logger.entries).toHaveLength(1);
    down = false;
    now += 1_000;
    await gate.assertWritable();
    down = true;
    now += 1_000;
    await gate.assertWritable();
    expect(logger.entries).toHaveLength(2);
  });
});
