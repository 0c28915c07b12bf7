import type { BackgroundTasks } from '../../application/ports/background-tasks.port';
import type { Logger } from '../../application/ports/logger.port';

/**
 * Runs background work in this process and keeps track of it, so shutdown (and a test) can wait
 * for it to finish before the pool it uses is closed.
 */
export class InProcessBackgroundTasks implements BackgroundTasks {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  start(name: string, work: () => Promise<void>): void {
    const task: Promise<void> = Promise.resolve()
      .then(work)
      .catch((error: unknown) => {
        this.logger.error({ task: name, err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) }, 'background task failed');
      })
      .finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  /** Resolves once every task, including any started meanwhile, has finished. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}
