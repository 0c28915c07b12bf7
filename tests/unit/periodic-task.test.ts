import { startPeriodic } from '../../src/infrastructure/periodic-task';
import { RecordingLogger } from '../support/recording-logger';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('startPeriodic', () => {
  it('runs the work every interval, never two runs at once, and logs failures without stopping', async () => {
    const logger = new RecordingLogger();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const task = startPeriodic(
      'test task',
      10,
      async () => {
        runs += 1;
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await sleep(25);
        running -= 1;
        if (runs === 1) throw new Error('first run fails');
      },
      logger,
    );
    await sleep(150);
    await task.stop();
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(maxRunning).toBe(1);
    expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'error', msg: 'periodic task failed', obj: expect.objectContaining({ task: 'test task' }) }));
  });

  it('stops: waits for the run in progress and starts no other', async () => {
    let finished = false;
    let runs = 0;
    const task = startPeriodic(
      'slow',
      5,
      async () => {
        runs += 1;
        await sleep(30);
        finished = true;
      },
      new RecordingLogger(),
    );
    // Stop while the first run is in progress (a loaded machine may start it late).
    while (runs === 0) await sleep(1);
    await task.stop();
    expect(finished).toBe(true);
    const after = runs;
    await sleep(30);
    expect(runs).toBe(after);
  });

  it('runs once at start when asked, before the first interval', async () => {
    let runs = 0;
    const task = startPeriodic('at start', 60_000, async () => void runs++, new RecordingLogger(), { runAtStart: true });
    await task.stop();
    expect(runs).toBe(1);
  });
});
