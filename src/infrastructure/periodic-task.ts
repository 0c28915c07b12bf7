import type { Logger } from '../application/ports/logger.port';
import { every, type BackgroundTask } from './background-task';

export interface PeriodicTask {
  /** No further runs; resolves once the run in progress, if any, has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `work` every `intervalMs` in this process. The timer is unref'd (it never keeps the process
 * alive), runs never overlap (a tick that finds the last run unfinished is skipped), and a failure
 * is logged, never thrown: the next tick tries again. With `runAtStart` it also runs at once.
 */
export function startPeriodic(
  name: string,
  intervalMs: number,
  work: () => Promise<unknown>,
  logger: Logger,
  options: { runAtStart?: boolean } = {},
): PeriodicTask {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = work()
      .then(() => undefined)
      .catch((error: unknown) => logger.error({ task: name, err: error }, 'periodic task failed'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  if (options.runAtStart) tick();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** `work` every `intervalMs` as a named background task: nothing runs until `start()`. */
export function periodicTask(
  name: string,
  intervalMs: number,
  work: () => Promise<unknown>,
  logger: Logger,
  options: { runAtStart?: boolean; exclusive?: boolean } = {},
): BackgroundTask {
  let running: PeriodicTask | null = null;
  return {
    name,
    schedule: every(intervalMs),
    ...(options.exclusive ? { exclusive: true } : {}),
    start() {
      running ??= startPeriodic(name, intervalMs, work, logger, options);
    },
    async stop() {
      const task = running;
      running = null;
      await task?.stop();
    },
  };
}
