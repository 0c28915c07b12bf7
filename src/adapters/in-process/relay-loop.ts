import type { Logger } from '../../application/ports/logger.port';

/**
 * Runs the outbox relay's pass every `intervalMs`, and at once when `trigger()` says it is worth it
 * (Redis just reconnected). Passes never overlap: a trigger during a pass runs one more right after.
 * Failures are logged when they start and when they end, not at every pass of an outage.
 */
export class RelayLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private failing = false;

  constructor(
    private readonly pass: () => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.stopped || this.timer || this.running) return;
    this.schedule();
  }

  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.run();
  }

  /** No further passes; resolves once the pass in progress, if any, has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.running) await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, this.intervalMs);
    // The relay never keeps a process alive on its own.
    this.timer.unref();
  }

  private run(): void {
    this.running = this.pass()
      .then(
        () => {
          if (this.failing) this.logger.info({ task: 'outbox relay' }, 'outbox relay running again');
          this.failing = false;
        },
        (error: unknown) => {
          if (!this.failing) this.logger.warn({ task: 'outbox relay', err: error instanceof Error ? { message: error.message } : String(error) }, 'outbox relay pass failed; retrying');
          this.failing = true;
        },
      )
      .finally(() => {
        this.running = null;
        if (this.again && !this.stopped) {
          this.again = false;
          this.run();
        } else {
          this.schedule();
        }
      });
  }
}
