import { InProcessBackgroundTasks } from '../../src/adapters/in-process/in-process-background-tasks';
import { RecordingLogger } from '../support/recording-logger';

describe('InProcessBackgroundTasks', () => {
  it('runs work after start returns, and drain waits for it', async () => {
    const tasks = new InProcessBackgroundTasks(new RecordingLogger());
    const done: string[] = [];
    tasks.start('a', async () => {
      await Promise.resolve();
      done.push('a');
    });
    expect(done).toEqual([]);
    await tasks.drain();
    expect(done).toEqual(['a']);
  });

  it('logs work that fails instead of leaving an unhandled rejection', async () => {
    const logger = new RecordingLogger();
    const tasks = new InProcessBackgroundTasks(logger);
    tasks.start('boom', async () => {
      throw new Error('boom');
    });
    await tasks.drain();
    expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'error', obj: expect.objectContaining({ task: 'boom' }) }));
  });
});
