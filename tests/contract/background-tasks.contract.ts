import type { BackgroundTasks } from '../../src/application/ports/background-tasks.port';

export interface BackgroundTasksUnderTest {
  tasks: BackgroundTasks;
  /** Resolves once every task started so far has finished, however it ended. */
  settled(): Promise<void>;
  /** Names of the tasks whose escaping failure the adapter reported. */
  reportedFailures(): string[];
}

/**
 * What every BackgroundTasks promises the use cases that start work and answer at once (a migration
 * run's 202, a backup copy): start never waits for the work nor throws, the work still runs to its
 * end, and a failure that escapes it is reported, never left to crash the process.
 */
export function backgroundTasksContract(name: string, make: () => Promise<BackgroundTasksUnderTest>): void {
  describe(`${name} (BackgroundTasks contract)`, () => {
    let s: BackgroundTasksUnderTest;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(() => s.settled());

    const gate = () => {
      let open!: () => void;
      const opened = new Promise<void>((resolve) => (open = resolve));
      return { opened, open };
    };

    it('returns before the work is done, and the work still runs to its end', async () => {
      const done: string[] = [];
      const { opened, open } = gate();
      s.tasks.start('a', async () => {
        await opened;
        done.push('a');
      });
      expect(done).toEqual([]);
      open();
      await s.settled();
      expect(done).toEqual(['a']);
    });

    it('runs tasks side by side: a later task does not wait for an earlier one', async () => {
      const { opened, open } = gate();
      const done: string[] = [];
      s.tasks.start('waits', async () => {
        await opened;
        done.push('waits');
      });
      s.tasks.start('opens', async () => {
        done.push('opens');
        open();
      });
      await s.settled();
      expect(done).toEqual(['opens', 'waits']);
    });

    it('reports a failing task by name and goes on running the others', async () => {
      const done: string[] = [];
      s.tasks.start('boom', async () => {
        throw new Error('boom');
      });
      expect(() =>
        s.tasks.start('throws at once', () => {
          throw new Error('synchronous');
        }),
      ).not.toThrow();
      s.tasks.start('fine', async () => void done.push('fine'));
      await s.settled();
      expect(done).toEqual(['fine']);
      expect([...s.reportedFailures()].sort()).toEqual(['boom', 'throws at once']);
    });
  });
}
