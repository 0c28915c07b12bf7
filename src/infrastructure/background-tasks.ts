import type { Logger } from '../application/ports/logger.port';
import type { BackgroundTask } from './background-task';
import { ExclusiveTask } from './exclusive-task';

export interface BackgroundTaskStatus {
  name: string;
  schedule: string;
  running: boolean;
}

/**
 * Every background task of the service, in one list: started in order, stopped in reverse. A task
 * that fails to start is logged and left out (the API still answers); /health shows it not running.
 */
export class BackgroundTasks {
  private readonly started = new Set<BackgroundTask>();

  constructor(
    readonly tasks: readonly BackgroundTask[],
    private readonly logger: Logger,
  ) {}

  get names(): string[] {
    return this.tasks.map((task) => task.name);
  }

  async start(): Promise<void> {
    for (const task of this.tasks) {
      if (this.started.has(task)) continue;
      try {
        await task.start();
        this.started.add(task);
      } catch (error) {
        this.logger.error({ task: task.name, err: error instanceof Error ? { message: error.message } : String(error) }, 'background task did not start');
      }
    }
  }

  async stop(): Promise<void> {
    for (const task of [...this.tasks].reverse()) {
      if (!this.started.delete(task)) continue;
      await task.stop().catch((error: unknown) =>
        this.logger.warn({ task: task.name, err: error instanceof Error ? { message: error.message } : String(error) }, 'background task did not stop cleanly'),
      );
    }
  }

  /**
   * Which of the started tasks run here (for the startup log): every process's own, the one-process
   * tasks this process holds, and those it stands by for (another process runs them).
   */
  placement(): { everyProcess: string[]; oneProcessHere: string[]; oneProcessElsewhere: string[] } {
    const started = this.tasks.filter((task) => this.started.has(task));
    const label = (task: BackgroundTask) => `${task.name} (${task.schedule})`;
    const exclusive = started.filter((task): task is ExclusiveTask => task instanceof ExclusiveTask);
    return {
      everyProcess: started.filter((task) => !(task instanceof ExclusiveTask)).map(label),
      oneProcessHere: exclusive.filter((task) => task.runsHere).map(label),
      oneProcessElsewhere: exclusive.filter((task) => !task.runsHere).map(label),
    };
  }

  status(): BackgroundTaskStatus[] {
    return this.tasks.map((task) => ({ name: task.name, schedule: task.schedule, running: this.started.has(task) }));
  }
}
