import { InProcessBackgroundTasks } from '../../src/adapters/in-process/in-process-background-tasks';
import { backgroundTasksContract } from '../contract/background-tasks.contract';
import { RecordingLogger } from '../support/recording-logger';

backgroundTasksContract('InProcessBackgroundTasks', async () => {
  const logger = new RecordingLogger();
  const tasks = new InProcessBackgroundTasks(logger);
  return {
    tasks,
    settled: () => tasks.drain(),
    // A failure escaping the work is reported as an error log naming the task.
    reportedFailures: () => logger.entries.flatMap((e) => (e.level === 'error' && e.msg === 'background task failed' && 'task' in e.obj ? [String(e.obj.task)] : [])),
  };
});
