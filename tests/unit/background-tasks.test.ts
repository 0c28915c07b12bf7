import type { BackgroundTask } from '../../src/infrastructure/background-task';
import { BackgroundTasks } from '../../src/infrastructure/background-tasks';
import { periodicTask } from '../../src/infrastructure/periodic-task';
import { RecordingLogger } from '../support/recording-logger';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recorded(name: string, events: string[], options: { failToStart?: boolean } = {}): BackgroundTask {
  return {
    name,
    schedule: 'test',
    async start() {
      if (options.failToStart) throw new Error(`${name} cannot start`);
      events.push(`start ${name}`);
    },
    async stop() {
      events.push(`stop ${name}`);
    },
  };
}

describe('BackgroundTasks', () => {
  it('starts in order and stops in reverse order', async () => {
    const events: string[] = [];
    const tasks = new BackgroundTasks([recorded('a', events), recorded('b', events), recorded('c', events)], new RecordingLogger());
    await tasks.start();
    await tasks.stop();
    expect(events).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  });

  it('logs a task that does not start, starts the others, and never stops what did not start', async () => {
    const events: string[] = [];
    const logger = new RecordingLogger();
    const tasks = new BackgroundTasks([recorded('a', events, { failToStart: true }), recorded('b', events)], logger);
    await tasks.start();
    expect(tasks.status()).toEqual([
      { name: 'a', schedule: 'test', running: false },
      { name: 'b', schedule: 'test', running: true },
    ]);
    expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'error', msg: 'background task did not start', obj: expect.objectContaining({ task: 'a' }) }));
    await tasks.stop();
    expect(events).toEqual(['start b', 'stop b']);
  });
});

describe('periodicTask', () => {
  it('runs nothing until started, runs on its interval once started, and nothing after stop', async () => {
    let runs = 0;
    const task = periodicTask('sweep', 10, async () => void runs++, new RecordingLogger());
    expect(task).toMatchObject({ name: 'sweep', schedule: 'every 10ms' });
    await sleep(50);
    expect(runs).toBe(0);
    task.start();
    await sleep(60);
    expect(runs).toBeGreaterThanOrEqual(2);
    await task.stop();
    const after = runs;
    await sleep(50);
    expect(runs).toBe(after);
  });
});
