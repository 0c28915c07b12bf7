import type { ExclusiveLocks } from '../application/ports/exclusive-locks.port';
import type { Logger } from '../application/ports/logger.port';
import type { BackgroundTask } from './background-task';

/** How often a process standing by tries to take the task over. */
export const TAKEOVER_POLL_MS = 5_000;

/**
 * Runs `task` in one process at a time across every process and instance sharing the database: the
 * one that holds its lock (ExclusiveLocks). The others stand by and try again every few seconds, so
 * when the holder stops or dies (its session ends, its lock with it), one of them takes the task over.
 */
export class ExclusiveTask implements BackgroundTask {
  readonly name: string;
  readonly schedule: string;
  private polling: NodeJS.Timeout | null = null;
  private holding = false;
  private started = false;
  /** Serializes take-overs and losses, so the inner task never starts twice. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly task: BackgroundTask,
    private readonly locks: ExclusiveLocks,
    private readonly logger: Logger,
    private readonly pollMs = TAKEOVER_POLL_MS,
  ) {
    this.name = task.name;
    this.schedule = task.schedule;
    locks.onLost((names) => {
      if (names.includes(this.lockName)) this.serialize(() => this.lost());
    });
  }

  /** Whether this process runs the task now (false: another process does, or nobody yet). */
  get runsHere(): boolean {
    return this.holding;
  }

  /**
   * Takes the lock if free and starts the task here; otherwise stands by. A task that fails to start
   * at the first attempt fails `start()` (logged as not started), its lock given back.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    try {
      await this.serialize(() => this.attempt(true));
    } catch (error) {
      this.started = false;
      throw error;
    }
    this.polling = setInterval(() => void this.serialize(() => this.attempt(false)), this.pollMs);
    this.polling.unref();
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.polling) clearInterval(this.polling);
    this.polling = null;
    await this.serialize(async () => {
      if (!this.holding) return;
      this.holding = false;
      await this.task.stop();
      await this.locks.release(this.lockName).catch(() => undefined);
    });
  }

  private get lockName(): string {
    return `background task: ${this.task.name}`;
  }

  private async attempt(first: boolean): Promise<void> {
    if (!this.started || this.holding) return;
    // A database that does not answer now leaves this process standing by, never without the task.
    const acquired = await this.locks.tryAcquire(this.lockName).catch((error: unknown) => {
      this.logger.warn({ task: this.name, err: { message: error instanceof Error ? error.message : String(error) } }, 'could not check who runs a one-process task; retrying');
      return false;
    });
    if (!acquired) return;
    try {
      await this.task.start();
    } catch (error) {
      await this.locks.release(this.lockName).catch(() => undefined);
      if (first) throw error;
      this.logger.error({ task: this.name, err: { message: error instanceof Error ? error.message : String(error) } }, 'background task did not start here; another process may take it');
      return;
    }
    this.holding = true;
    if (!first) this.logger.info({ task: this.name }, 'took over a one-process background task');
  }

  private async lost(): Promise<void> {
    if (!this.holding) return;
    this.holding = false;
    this.logger.warn({ task: this.name }, 'lost the lock of a one-process background task: stopped here until it is taken again');
    await this.task.stop().catch(() => undefined);
  }

  private serialize(work: () => Promise<void>): Promise<void> {
    const next = this.chain.then(work);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
