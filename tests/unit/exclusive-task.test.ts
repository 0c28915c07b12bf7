import { InMemoryExclusiveLocks } from '../../src/adapters/in-memory/fakes/in-memory-exclusive-locks';
import type { BackgroundTask } from '../../src/infrastructure/background-task';
import { ExclusiveTask } from '../../src/infrastructure/exclusive-task';
import { eventually } from '../support/eventually';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A task that records whether it runs, in one "process". */
function aTask(options: { failStart?: boolean } = {}) {
  const task = {
    running: false,
    starts: 0,
    stops: 0,
    name: 'trash purge',
    schedule: 'every 1h',
    exclusive: true,
    start: async () => {
      if (options.failStart) throw new Error('cannot start here');
      task.starts++;
      task.running = true;
    },
    stop: async () => {
      task.stops++;
      task.running = false;
    },
  } satisfies BackgroundTask & Record<string, unknown>;
  return task;
}

/** Two processes sharing one database, each with the task wrapped. */
function twoProcesses(pollMs = 20) {
  const holders = new Map<string, InMemoryExclusiveLocks>();
  const locks = [new InMemoryExclusiveLocks(holders), new InMemoryExclusiveLocks(holders)] as const;
  const inner = [aTask(), aTask()] as const;
  const wrapped = [new ExclusiveTask(inner[0], locks[0], silent, pollMs), new ExclusiveTask(inner[1], locks[1], silent, pollMs)] as const;
  return { locks, inner, wrapped };
}

describe('ExclusiveTask', () => {
  it('runs in the first process to start it; the other stands by', async () => {
    const { inner, wrapped } = twoProcesses();
    await wrapped[0].start();
    await wrapped[1].start();
    expect([inner[0].running, inner[1].running]).toEqual([true, false]);
    expect([wrapped[0].runsHere, wrapped[1].runsHere]).toEqual([true, false]);
    expect(wrapped[1].name).toBe('trash purge');
    await Promise.all(wrapped.map((t) => t.stop()));
  });

  it('moves to the process standing by when the holder stops', async () => {
    const { inner, wrapped } = twoProcesses();
    await wrapped[0].start();
    await wrapped[1].start();
    await wrapped[0].stop();
    expect(inner[0].running).toBe(false);
    await eventually('the other process to take over', () => (inner[1].running ? true : undefined), 2_000);
    expect(wrapped[1].runsHere).toBe(true);
    await wrapped[1].stop();
  });

  it('stops where the lock was lost with its session, and runs again where it is taken next', async () => {
    const { locks, inner, wrapped } = twoProcesses();
    await wrapped[0].start();
    await wrapped[1].start();
    try {
      locks[0].loseAll();
      await eventually('the task to stop where the lock was lost', () => (inner[0].stops > 0 ? true : undefined), 2_000);
      // Whichever process polls first takes it; never both.
      await eventually('one process to run it again', () => (inner[0].running || inner[1].running ? true : undefined), 2_000);
      expect(inner[0].running && inner[1].running).toBe(false);
      expect(wrapped.filter((t) => t.runsHere)).toHaveLength(1);
    } finally {
      await Promise.all(wrapped.map((t) => t.stop()));
    }
  });

  it('fails its start, lock given back, when the task cannot start in the process that won it', async () => {
    const holders = new Map<string, InMemoryExclusiveLocks>();
    const failing = new ExclusiveTask(aTask({ failStart: true }), new InMemoryExclusiveLocks(holders), silent, 20);
    await expect(failing.start()).rejects.toThrow('cannot start here');
    const other = aTask();
    const wrapped = new ExclusiveTask(other, new InMemoryExclusiveLocks(holders), silent, 20);
    await wrapped.start();
    expect(other.running).toBe(true);
    await wrapped.stop();
  });
});
